/**
 * Values Gradle scripts take from elsewhere, resolved the way real projects write them:
 * `targetSdkVersion rootProject.ext.targetSdkVersion` (React Native), Capacitor's
 * `variables.gradle`, `gradle.properties`, version catalogs (`libs.versions.targetSdk.get().toInt()`),
 * Kotlin DSL `extra["x"]`. Pure text functions: gather reads the files, this reads the values.
 * A value that cannot be traced is reported unknown with the reason; nothing is guessed.
 */
import { lineOf as lineAt } from './lines.js';

export interface Defined {
  value: string;
  /** File (as shown) and line. */
  origin: string;
}

export type Defs = Map<string, Defined>;


/** Comments removed (line and block), strings kept: enough for the assignments read here. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:"'])\/\/[^\n]*/g, '$1');
}

function clean(v: string): string {
  return v.trim().replace(/;$/, '').trim();
}

/** `ext { a = 1 }`, `ext.a = 1`, `ext.set("a", 1)`, `extra["a"] = 1`, `extra.set("a", 1)`, `val a by extra(1)`, `project.ext.a = 1`, and `def a = 1`. */
export function extDefinitions(text: string, file: string, into: Defs = new Map(), locals = false): Defs {
  const code = stripComments(text);
  const put = (name: string, value: string, at: number) => into.set(name, { value: clean(value), origin: `${file}:${lineAt(code, at)}` });
  for (const m of code.matchAll(/\bext\s*\{/g)) {
    // The block's own assignments: `name = value` at its top level, one per line.
    let depth = 0;
    const start = m.index + m[0].length;
    let end = start;
    for (let k = start - 1; k < code.length; k++) {
      if (code[k] === '{') depth++;
      else if (code[k] === '}' && --depth === 0) {
        end = k;
        break;
      }
    }
    const body = code.slice(start, end);
    for (const a of body.matchAll(/^[ \t]*(?:set\(\s*["'](\w+)["']\s*,\s*([^)\n]+)\)|(\w+)\s*=\s*([^\n]+))/gm)) put((a[1] ?? a[3])!, (a[2] ?? a[4])!, start + a.index);
  }
  for (const a of code.matchAll(/\b(?:rootProject\.|project\.)?ext(?:ra)?\.(?:set\(\s*["'](\w+)["']\s*,\s*([^)\n]+)\)|(\w+)\s*=\s*([^\n]+))/g)) put((a[1] ?? a[3])!, (a[2] ?? a[4])!, a.index);
  for (const a of code.matchAll(/\bextra\[\s*["'](\w+)["']\s*\]\s*=\s*([^\n]+)/g)) put(a[1]!, a[2]!, a.index);
  for (const a of code.matchAll(/\bval\s+(\w+)(?:\s*:\s*\w+)?\s+by\s+extra\s*\(\s*([^)\n]+)\)/g)) put(a[1]!, a[2]!, a.index);
  // Script-local variables (`def tac_version = '1.2.0'`, `val targetSdk = 34`) read in the same file.
  // Only for the file that reads them (`locals`): a root script's def is not visible to a module.
  if (locals) for (const a of code.matchAll(/^[ \t]*(?:def|val|var)\s+(\w+)(?:\s*:\s*\w+)?\s*=\s*([^\n]+)/gm)) put(a[1]!, a[2]!, a.index);
  return into;
}

/** `gradle.properties`: `key=value` / `key: value` / `key value` lines. */
export function propertyDefinitions(text: string, file: string, into: Defs = new Map()): Defs {
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) return;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) into.set(m[1]!, { value: m[2]!.trim(), origin: `${file}:${i + 1}` });
  });
  return into;
}

/** A catalog key as its accessor spells it: `target-sdk`, `target_sdk` and `target.sdk` are all `libs.versions.target.sdk`. */
export function catalogKey(name: string): string {
  return name.replace(/[-_.]/g, '.').toLowerCase();
}

/** `[versions]` of a version catalog (libs.versions.toml). */
export function catalogVersions(toml: string, file: string): Defs {
  const out: Defs = new Map();
  let section = '';
  toml.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const s = /^\[([^\]]+)\]$/.exec(line);
    if (s) {
      section = s[1]!.trim();
      return;
    }
    if (section !== 'versions') return;
    const m = /^([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|\{[^}]*\b(?:strictly|require|prefer)\s*=\s*"([^"]*)"[^}]*\})/.exec(line);
    if (m) out.set(catalogKey(m[1]!), { value: m[2] ?? m[3] ?? m[4] ?? '', origin: `${file}:${i + 1}` });
  });
  return out;
}

/** `[plugins]` of a version catalog: accessor key -> plugin id (`tac-services = { id = "com.tencent.tac.services", ... }`). */
export function catalogPlugins(toml: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const s = /^\[([^\]]+)\]$/.exec(line);
    if (s) section = s[1]!.trim();
    else if (section === 'plugins') {
      const m = /^([\w.-]+)\s*=\s*(?:\{[^}]*\bid\s*=\s*"([^"]+)"|"([^":]+)(?::[^"]*)?")/.exec(line);
      if (m) out.set(catalogKey(m[1]!), (m[2] ?? m[3])!);
    }
  }
  return out;
}

export interface Sources {
  /** ext values of the project (root build file, files it applies) and of the module. */
  ext: Defs;
  /** gradle.properties. */
  properties: Defs;
  /** The version catalog's versions, by catalogKey. */
  catalog: Defs;
}

export interface Resolved {
  value?: number;
  /** How it was traced: "rootProject.ext.targetSdkVersion = 33 (android/build.gradle:5)". */
  via?: string;
  /** Why it could not be (then value is undefined). */
  unknown?: string;
}

/** An integer expression from a Gradle file, traced through ext, properties and the catalog. */
export function resolveInt(expr: string, src: Sources, depth = 0): Resolved {
  const e = clean(expr).replace(/^\((.*)\)$/s, '$1').trim();
  if (/^\d+$/.test(e)) return { value: Number(e) };
  if (/^["']\d+["']$/.test(e)) return { value: Number(e.slice(1, -1)) };
  if (depth > 4) return { unknown: `${e} (too many indirections)` };
  if (/^flutter\./.test(e)) return { unknown: `${e} is set by the Flutter SDK (its default depends on the Flutter version)` };
  const follow = (d: Defined | undefined, what: string): Resolved | undefined => {
    if (!d) return undefined;
    const r = resolveInt(d.value, src, depth + 1);
    if (r.value !== undefined) return { value: r.value, via: `${what} = ${r.value} (${d.origin})` };
    return { unknown: `${what} = ${d.value} (${d.origin}): ${r.unknown ?? 'not a number'}` };
  };
  const cat = /^libs\.versions\.([\w.]+?)(?:\.get\(\))?(?:\.(?:toInt|toInteger)\(\))?(?:\s+as\s+\w+)?$/.exec(e);
  if (cat) return follow(src.catalog.get(catalogKey(cat[1]!)), `libs.versions.${cat[1]}`) ?? { unknown: `${e}: no such version in the version catalog` };
  const prop =
    /^(?:Integer\.parseInt|Integer\.valueOf)\(\s*(?:project\.)?(?:property\(\s*)?["']?([\w.]+)["']?\s*\)?(?:\.toString\(\))?\s*\)$/.exec(e) ??
    /^(?:project\.)?(?:property|findProperty|providers\.gradleProperty)\(\s*["']([\w.]+)["']\s*\)(?:\.get\(\))?(?:!!)?(?:\.toString\(\))?(?:\s+as\s+String)?\)?\.(?:toInt|toInteger)\(\)$/.exec(e) ??
    /^(?:project\.)?([A-Za-z_][\w.]*?)\.(?:toInteger|toInt)\(\)$/.exec(e);
  if (prop) {
    const name = prop[1]!;
    return follow(src.properties.get(name), name) ?? follow(src.ext.get(name), name) ?? { unknown: `${e}: ${name} is in no gradle.properties or ext block read` };
  }
  const m1 = /^(?:rootProject|project)\.ext\.get\(\s*["'](\w+)["']\s*\)$/.exec(e);
  const m2 = /^(?:rootProject\.|project\.)?(?:ext(?:ra)?\.)?(?:extra\[\s*["'](\w+)["']\s*\]|(\w+))(?:\s+as\s+\w+)?$/.exec(e);
  const m3 = /^safeExtGet\(\s*["'](\w+)["']\s*,\s*(\d+)\s*\)$/.exec(e);
  const key = m1?.[1] ?? m2?.[1] ?? m2?.[2] ?? m3?.[1];
  if (key) {
    const hit = follow(src.ext.get(key), e) ?? follow(src.properties.get(key), e);
    if (hit) return hit;
    if (m3) return { value: Number(m3[2]), via: `${e}: no ext value, so the default ${m3[2]}` };
    return { unknown: `${e}: ${key} is defined in no ext block, applied file or gradle.properties read` };
  }
  return { unknown: `${e} is an expression tacpay does not evaluate` };
}
