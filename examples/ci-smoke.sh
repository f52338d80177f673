#!/bin/sh
# CI smoke test of your payment-notification handler against tacpay's built-in sandbox: no Tencent
# Cloud account, no network beyond 127.0.0.1.
#
#   1. one sandbox data dir for the whole job: its platform key is the key the handler trusts
#   2. tacpay sandbox keys: that platform public key and the merchant's offerKey, as a .env file
#   3. start the handler with them (examples/notify-handler.mjs here: put yours in its place)
#   4. run scenarios against that sandbox with the notifications going to the handler, which must
#      verify and accept each one; a JUnit report per scenario for the CI test view
#
# Exit 0 when every scenario passed, 1 when one failed (or the handler did not start).
# Settings (environment): TACPAY how to run tacpay (default: npx --yes tacpay@0.1.0); SCENARIOS
# built-in names or files (default: happy-path partial-refund user-cancels); REPORTS (default:
# reports); PORT the handler's port (default 3000; 0 picks a free one); WORK a scratch dir for the
# data dir, the .env and the handler's log (default: a new temp dir).
set -eu

TACPAY=${TACPAY:-npx --yes tacpay@0.1.0}
SCENARIOS=${SCENARIOS:-happy-path partial-refund user-cancels}
REPORTS=${REPORTS:-reports}
WORK=${WORK:-$(mktemp -d)}
HERE=$(cd "$(dirname "$0")" && pwd)
tacpay() { $TACPAY "$@"; }

# 1. The data dir. A sandbox may also run on it (tacpay sandbox start --sandbox-dir "$DATA" &): the
#    scenarios then use that one; otherwise each starts one in-process on the dir.
DATA=$WORK/sandbox

handler_pid=
stop_handler() {
  if [ -n "$handler_pid" ]; then
    kill "$handler_pid" 2>/dev/null || true
    wait "$handler_pid" 2>/dev/null || true
  fi
}
trap stop_handler EXIT
trap 'exit 130' INT TERM

# 2. The platform public key and the merchant's credentials (created on first use), for the handler.
#    They are sandbox keys: never production ones. The .env file is written with mode 0600.
tacpay sandbox keys --sandbox-dir "$DATA" --dotenv "$WORK/handler.env" --force >/dev/null

# 3. The handler, told where to write its URL once it listens.
rm -f "$WORK/handler.url"
HANDLER_URL_FILE=$WORK/handler.url PORT=${PORT:-3000} node --env-file="$WORK/handler.env" "$HERE/notify-handler.mjs" >"$WORK/handler.log" 2>&1 &
handler_pid=$!
tries=0
until [ -s "$WORK/handler.url" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 50 ] || ! kill -0 "$handler_pid" 2>/dev/null; then
    echo "ci-smoke: the notify handler did not start; its log:" >&2
    cat "$WORK/handler.log" >&2
    exit 1
  fi
  sleep 0.2
done
NOTIFY_URL=$(cat "$WORK/handler.url")

# 4. The scenarios, all of them even after a failure, so that every report exists.
mkdir -p "$REPORTS"
status=0
for scenario in $SCENARIOS; do
  name=$(basename "$scenario" .json)
  tacpay simulate scenario "$scenario" --sandbox-dir "$DATA" --notify-url "$NOTIFY_URL" --junit "$REPORTS/tacpay-$name.xml" || status=1
done
exit "$status"
