/**
 * The doctor's third-party parsers, required at run time rather than bundled. esbuild puts every
 * statically imported module into dist/main.cjs, and V8 pre-parses the whole file on every start,
 * so bundling ~200 KB of XML/pbxproj/diff code would slow `tacpay --help` for everyone; a
 * createRequire() call is opaque to the bundler, so these stay in node_modules (they are runtime
 * dependencies of the package) and load only when a doctor function first needs them.
 */
import { createRequire } from 'node:module';
import type * as Bplist from 'bplist-parser';
import type * as Diff from 'diff';
import type * as Fflate from 'fflate';
import type * as Xmldom from '@xmldom/xmldom';

const load = createRequire(import.meta.url);
const cache: { fflate?: typeof Fflate; xmldom?: typeof Xmldom; bplist?: typeof Bplist; diff?: typeof Diff; pbx?: { parse(text: string): unknown } } = {};

/** @xmldom/xmldom: the XML parser (with node positions). */
export function xmldom(): typeof Xmldom {
  return (cache.xmldom ??= load('@xmldom/xmldom') as typeof Xmldom);
}

/** bplist-parser: binary property lists. */
export function bplist(): typeof Bplist {
  return (cache.bplist ??= load('bplist-parser') as typeof Bplist);
}

/** diff: unified diffs for --fix. */
export function diffLib(): typeof Diff {
  return (cache.diff ??= load('diff') as typeof Diff);
}

/** The pbxproj grammar of the `xcode` package (a PEG parser; the rest of that package is not needed). */
export function pbxproj(): { parse(text: string): unknown } {
  return (cache.pbx ??= load('xcode/lib/parser/pbxproj.js') as { parse(text: string): unknown });
}

/**
 * The named entries of a zip (an AAR), each at most `cap` bytes uncompressed. Sizes are checked
 * from the central directory before anything is inflated, so a zip bomb is refused, not expanded.
 */
export function unzipEntries(zip: Uint8Array, names: readonly string[], cap: number): Record<string, Buffer> {
  const fflate = (cache.fflate ??= load('fflate') as typeof Fflate);
  const tooBig: string[] = [];
  const files = fflate.unzipSync(zip, {
    filter: (f) => {
      if (!names.includes(f.name)) return false;
      if (f.originalSize > cap) tooBig.push(f.name);
      return f.originalSize <= cap;
    },
  });
  if (tooBig.length) throw new Error(`${tooBig.join(', ')} is larger than ${Math.round(cap / 1024)} KB uncompressed`);
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(files)) {
    // The declared size is the zip's own claim; the inflated bytes are checked again.
    if (v.length > cap) throw new Error(`${k} inflates past ${Math.round(cap / 1024)} KB`);
    out[k] = Buffer.from(v.buffer, v.byteOffset, v.length);
  }
  return out;
}
