/**
 * build.gradle / build.gradle.kts / settings.gradle: the ids, plugins, repositories, dependencies and
 * build settings the checks need, read statement by statement from the blanked code (gradle-lexer.ts).
 */
import { lineOf } from '../lines.js';
import type { GradleSummary } from '../types.js';
import { blank, lineEnd, matchBrace, stringAfter, stringsIn, type Blanked } from './gradle-lexer.js';

/** Reads what the checks need from a build.gradle / build.gradle.kts / settings.gradle. */
export function parseGradle(text: string): GradleSummary {
  const b = blank(text);
  const out: GradleSummary = { plugins: [], lastStatementLine: 0, repositories: [], dependencies: [], usesLibsDir: false, storeFiles: [], minify: false, proguardFiles: [], applyFrom: [], includes: [], projectDirs: {}, projectDeps: [] };
  readIds(b, out);
  readMinify(b.code, out);
  readReferences(b, out);
  readPlugins(b, text, out);
  readRepositories(b, text, out);
  out.lastStatementLine = lastStatementLine(b.code);
  return out;
}

/** applicationId, namespace and targetSdk (the expression as written, and its number when literal). */
function readIds(b: Blanked, out: GradleSummary): void {
  const code = b.code;
  const appId = /\bapplicationId\b/g;
  for (let m; (m = appId.exec(code)); ) {
    const s = stringAfter(b, code, m.index + m[0].length);
    if (s) out.applicationId = s.value;
  }
  const ns = /\bnamespace\b/g;
  for (let m; (m = ns.exec(code)); ) {
    const s = stringAfter(b, code, m.index + m[0].length);
    if (s) out.namespace = s.value;
  }
  // The expression as written (a number, rootProject.ext.x, libs.versions.x.get().toInt(), ...);
  // gather resolves it against ext blocks, gradle.properties and the version catalog.
  const target = /\btargetSdk(?:Version)?\b[ \t]*(=[ \t]*|\([ \t]*|[ \t]+)([^\n;}]+)/g;
  // The first one: defaultConfig comes before the product flavors that override it.
  for (let m; !out.targetSdkExpr && (m = target.exec(code)); ) {
    let expr = m[2]!.trim();
    if (m[1]!.startsWith('(')) expr = expr.replace(/\)\s*$/, '').trim();
    out.targetSdkExpr = expr;
    if (/^\d+$/.test(expr)) out.targetSdk = Number(expr);
    else delete out.targetSdk;
  }
}

/**
 * minifyEnabled true | isMinifyEnabled = true | minifyEnabled enableProguardInReleaseBuilds (the
 * React Native template: a `def` of this file, or an ext value, decides).
 */
function readMinify(code: string, out: GradleSummary): void {
  let booleans: Map<string, string> | undefined;
  for (const m of code.matchAll(/\b(?:isMinifyEnabled|minifyEnabled)\b[ \t]*(?:=[ \t]*|\([ \t]*)?([A-Za-z_][\w.]{0,200})/g)) {
    const v = m[1]!;
    if (v === 'true') out.minify = true;
    else if (v !== 'false') {
      const name = v.replace(/^(?:rootProject\.|project\.)?(?:ext\.)?/, '');
      // Boolean variables of this file, read once: `def x = true`, `val x: Boolean = false`, `ext.x = true`.
      booleans ??= new Map([...code.matchAll(/\b(?:def|val|var|ext\.)\s*(\w+)\s*(?::\s*Boolean\s*)?=\s*(true|false)\b/g)].map((d) => [d[1]!, d[2]!]));
      const def = booleans.get(name);
      if (def === 'true') out.minify = true;
      else if (def === undefined) out.minifyUnknown = v;
    }
  }
}

/** What the script names elsewhere: map-notation dependencies, ProGuard files, applied scripts, included and relocated projects. */
function readReferences(b: Blanked, out: GradleSummary): void {
  const code = b.code;
  // Map notation: implementation group: 'com.tencent.mm.opensdk', name: 'wechat-sdk-android', version: '6.8.0'
  for (const m of code.matchAll(/\bgroup\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)["'](?:\s*,\s*version\s*[:=]\s*["']([^"']+)["'])?/g)) {
    out.dependencies.push(`${m[1]}:${m[2]}${m[3] ? `:${m[3]}` : ''}`);
  }
  const proguard = /\bproguardFiles?\s*(?:\(|\s)/g;
  for (let m; (m = proguard.exec(code)); ) {
    // The string literals of the call, up to the end of the statement's line.
    for (const [, str] of stringsIn(b, m.index, lineEnd(code, m.index))) if (!/^proguard-android/.test(str)) out.proguardFiles.push(str);
  }
  const applyFrom = /\bapply\s*(?:\(\s*)?from\s*(?::|=)\s*/g;
  for (let m; (m = applyFrom.exec(code)); ) {
    const s = stringAfter(b, code, m.index + m[0].length);
    if (s) out.applyFrom.push(s.value);
  }
  const include = /\binclude\b\s*\(?/g;
  for (let m; (m = include.exec(code)); ) {
    for (const [, str] of stringsIn(b, m.index, lineEnd(code, m.index))) if (/^:?[\w.-]+(:[\w.-]+)*$/.test(str)) out.includes.push(str.replace(/^:/, ''));
  }
  const projectDir = /\bproject\s*\(\s*/g;
  for (let m; (m = projectDir.exec(code)); ) {
    const name = stringAfter(b, code, m.index + 7);
    if (!name) continue;
    const end = lineEnd(code, m.index);
    const rest = code.slice(m.index, end);
    if (/\)\s*\.projectDir\s*=/.test(rest)) {
      // new File(rootProject.projectDir, '../x') | file('../x') | File(settingsDir, "../x"): the last literal is the path.
      const lits = stringsIn(b, name.at, end).map(([, v]) => v);
      const dir = lits[lits.length - 1];
      if (dir) out.projectDirs[name.value.replace(/^:/, '')] = dir;
    } else if (/^project\s*\(\s*["']:?[\w.:-]+["']\s*\)/.test(rest) && /\b(?:implementation|api|compile)\b[^\n]*$/.test(code.slice(Math.max(0, m.index - 60), m.index))) {
      out.projectDeps.push(name.value.replace(/^:/, ''));
    }
  }
}

/** apply plugin: 'x'   |   apply(plugin = "x")   |   plugins { id 'x' / id("x") / alias(...) }, in line order. */
function readPlugins(b: Blanked, text: string, out: GradleSummary): void {
  const code = b.code;
  const apply = /\bapply\s*(?:\(\s*)?plugin\s*(?::|=)\s*/g;
  for (let m; (m = apply.exec(code)); ) {
    const s = stringAfter(b, code, m.index + m[0].length);
    if (s) out.plugins.push({ id: s.value, form: 'apply', line: lineOf(text, m.index) });
  }
  const pluginsBlock = /\bplugins\s*\{/g;
  for (let m; (m = pluginsBlock.exec(code)); ) {
    const end = matchBrace(code, m.index + m[0].length);
    const body = code.slice(m.index, end);
    const id = /\bid\s*(?:\(\s*)?/g;
    for (let k; (k = id.exec(body)); ) {
      const s = stringAfter(b, code, m.index + k.index + k[0].length);
      if (s) out.plugins.push({ id: s.value, form: 'plugins-block', line: lineOf(text, m.index + k.index) });
    }
    // alias(libs.plugins.tac.services): the id is in the version catalog; gather resolves it.
    for (const a of body.matchAll(/\balias\s*\(\s*libs\.plugins\.([\w.]+)\s*\)/g)) out.plugins.push({ id: `libs.plugins.${a[1]}`, form: 'plugins-block', line: lineOf(text, m.index + a.index) });
  }
  out.plugins.sort((x, y) => x.line - y.line);
}

/** jcenter() and Bintray URLs (in line order), coordinate strings as dependencies, libs/ jars, signing store files. */
function readRepositories(b: Blanked, text: string, out: GradleSummary): void {
  const code = b.code;
  const jcenter = /\bjcenter\s*\(\s*\)/g;
  for (let m; (m = jcenter.exec(code)); ) out.repositories.push({ kind: 'jcenter', text: 'jcenter()', line: lineOf(text, m.index) });
  for (const [at, s] of b.strings) {
    if (/bintray\.com/i.test(s)) out.repositories.push({ kind: 'bintray', text: s, line: lineOf(text, at) });
    if (/^[\w.-]+:[\w.-]+(:[^:\s]+)?$/.test(s)) out.dependencies.push(s);
    if (/^libs(\/|$)/.test(s) || /\blibs\/[^'"]*\.jar$/.test(s)) out.usesLibsDir = true;
  }
  out.repositories.sort((x, y) => x.line - y.line);
  const storeFile = /\bstoreFile\s*(?:=\s*)?file\s*\(\s*/g;
  for (let m; (m = storeFile.exec(code)); ) {
    const s = stringAfter(b, code, m.index + m[0].length);
    if (s) out.storeFiles.push(s.value);
  }
}

/** The last line holding code at brace depth 0. */
function lastStatementLine(code: string): number {
  let depth = 0;
  let lastLine = 0;
  let line = 1;
  for (let k = 0; k < code.length; k++) {
    const c = code[k]!;
    if (c === '\n') line++;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) lastLine = line;
    } else if (depth === 0 && !/\s/.test(c)) lastLine = line;
  }
  return lastLine;
}
