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
import type * as Xmldom from '@xmldom/xmldom';

const load = createRequire(import.meta.url);
const cache: { xmldom?: typeof Xmldom; bplist?: typeof Bplist; diff?: typeof Diff; pbx?: { parse(text: string): unknown } } = {};

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
