/**
 * Wrappers around the real parsers (xmldom for XML with positions, from which XML plists are read
 * by Apple's DTD; bplist-parser for binary plists; the xcode package's pbxproj grammar) plus a comment- and string-aware reader for
 * Gradle scripts. Each wrapper returns data or throws a Malformed error that names the line, so a
 * broken file becomes a finding, never a crash. Loaded only by the doctor command (lazily).
 */
import type { Document, Element, Node as XmlNode } from '@xmldom/xmldom';
import { bplist, pbxproj, xmldom } from './deps.js';
import { countAtMost, lineOf } from './lines.js';
import type { GradleSummary, ManifestActivity, ManifestSummary, PbxSummary, PbxTarget, PlistDict } from './types.js';

/** A file that could not be parsed: the message says where. */
export class Malformed extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined && line > 0 ? `line ${line}: ${message}` : message);
    this.name = 'Malformed';
  }
}

const ANDROID_NS = 'http://schemas.android.com/apk/res/android';
const TOOLS_NS = 'http://schemas.android.com/tools';

/** Parses XML strictly (any error or fatal error is Malformed, with its line); nothing is printed. */
export function parseXml(text: string): Document {
  let first: { msg: string; line?: number } | undefined;
  const parser = new (xmldom().DOMParser)({
    onError: (level, msg, context) => {
      if (level === 'warning') return;
      const loc = (context as { locator?: { lineNumber?: number } } | undefined)?.locator;
      first ??= { msg: String(msg).trim(), ...(loc?.lineNumber !== undefined ? { line: loc.lineNumber } : {}) };
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (err) {
    const e = err as Error & { locator?: { lineNumber?: number } };
    const msg = cleanXmlMessage(first?.msg ?? e.message);
    throw new Malformed(msg, mismatchLine(text, msg) ?? first?.line ?? e.locator?.lineNumber);
  }
  if (first) {
    const msg = cleanXmlMessage(first.msg);
    throw new Malformed(msg, mismatchLine(text, msg) ?? first.line);
  }
  return checkedRoot(doc);
}

function checkedRoot(doc: Document): Document {
  if (!doc.documentElement) throw new Malformed('no root element');
  return doc;
}

/** xmldom places a tag mismatch at the opening tag; the line of the wrong closing tag is more useful. */
function mismatchLine(text: string, msg: string): number | undefined {
  const m = /mismatch: "[^"]*" != "([^"]+)"/.exec(msg);
  if (!m) return undefined;
  const at = text.indexOf(`</${m[1]}`);
  return at === -1 ? undefined : lineAt(text, at);
}

function cleanXmlMessage(m: string): string {
  return m.replace(/\s*@#\[line:.*$/s, '').replace(/^\[xmldom [a-zA-Z]+\]\s*/, '').split('\n')[0]!.trim();
}

/** A property list from bytes: binary (`bplist00`) or XML. Returns the root value and the format. */
export function parsePlist(bytes: Buffer): { value: unknown; format: 'binary plist' | 'XML plist' } {
  if (bytes.subarray(0, 6).toString('latin1') === 'bplist') {
    try {
      const roots = bplist().parseBuffer(bytes);
      return { value: roots[0], format: 'binary plist' };
    } catch (err) {
      throw new Malformed(`not a readable binary plist (${(err as Error).message})`);
    }
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(text)) throw new Malformed('an old-style (OpenStep) plist; tacpay reads XML and binary plists only');
  const doc = parseXml(text);
  const root = doc.documentElement!;
  if (root.nodeName !== 'plist') throw new Malformed(`the root element is <${root.nodeName}>, not <plist>`);
  const top = elementChildren(root);
  if (top.length !== 1) throw new Malformed(`<plist> holds ${top.length} values; it must hold exactly one`, lineOfNode(root));
  return { value: plistValue(top[0]!), format: 'XML plist' };
}

function elementChildren(el: XmlNode): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

function lineOfNode(n: XmlNode): number | undefined {
  return (n as unknown as { lineNumber?: number }).lineNumber;
}

/** One value of an XML plist (Apple's PropertyList-1.0 DTD), from its element. */
function plistValue(el: Element): unknown {
  const text = () => el.textContent ?? '';
  switch (el.nodeName) {
    case 'dict': {
      const out: Record<string, unknown> = {};
      const kids = elementChildren(el);
      for (let i = 0; i < kids.length; i += 2) {
        const k = kids[i]!;
        const v = kids[i + 1];
        if (k.nodeName !== 'key') throw new Malformed(`<${k.nodeName}> where a <key> belongs in a <dict>`, lineOfNode(k));
        if (!v) throw new Malformed(`<key>${k.textContent}</key> has no value`, lineOfNode(k));
        out[k.textContent ?? ''] = plistValue(v);
      }
      return out;
    }
    case 'array':
      return elementChildren(el).map(plistValue);
    case 'string':
      return text();
    case 'integer': {
      const n = Number(text().trim());
      if (!Number.isInteger(n)) throw new Malformed(`<integer>${text()}</integer> is not an integer`, lineOfNode(el));
      return n;
    }
    case 'real': {
      const n = Number(text().trim());
      if (Number.isNaN(n)) throw new Malformed(`<real>${text()}</real> is not a number`, lineOfNode(el));
      return n;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'date':
      return new Date(text().trim());
    case 'data':
      return Buffer.from(text().replace(/\s+/g, ''), 'base64');
    default:
      throw new Malformed(`<${el.nodeName}> is not a plist value element`, lineOfNode(el));
  }
}

/** A plist whose root must be a dictionary. */
export function parsePlistDict(bytes: Buffer): { value: PlistDict; format: string } {
  const { value, format } = parsePlist(bytes);
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date || Buffer.isBuffer(value)) {
    throw new Malformed('the root of the plist is not a dictionary');
  }
  return { value: value as PlistDict, format };
}

// ---------------------------------------------------------------------------------------------
// pbxproj

type PbxValue = string | number | PbxValue[] | { value: string; comment?: string } | { [k: string]: PbxValue };

/** pbxproj strings keep their quotes in the parse tree: `"a b"` -> a b, with escapes undone. */
export function unquote(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return '';
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    return v.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
  }
  return v;
}

function ref(v: unknown): string {
  return typeof v === 'object' && v !== null && 'value' in v ? String((v as { value: unknown }).value) : unquote(v);
}

/** Parses project.pbxproj with the xcode package's grammar and summarises the targets. */
export function parsePbxproj(text: string): PbxSummary {
  let tree: { project?: { objects?: Record<string, PbxValue> } };
  try {
    tree = pbxproj().parse(text) as typeof tree;
  } catch (err) {
    const e = err as Error & { location?: { start?: { line?: number } } };
    throw new Malformed(`not a valid project.pbxproj (${e.message})`, e.location?.start?.line);
  }
  const grouped = tree.project?.objects;
  if (!grouped || typeof grouped !== 'object') throw new Malformed('project.pbxproj has no objects section');
  // The grammar groups objects by their `/* Begin X section */` comments; files without those
  // comments come out flat. Flatten both into one id -> object table.
  const objects: Record<string, PbxValue> = {};
  for (const [k, v] of Object.entries(grouped)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && !('isa' in v) && !k.endsWith('_comment')) Object.assign(objects, v);
    else objects[k] = v;
  }
  const obj = (id: string): Record<string, PbxValue> | undefined => {
    const o = objects[id];
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, PbxValue>) : undefined;
  };
  const targets: PbxTarget[] = [];
  for (const [id, o] of Object.entries(objects)) {
    if (id.endsWith('_comment') || !o || typeof o !== 'object' || Array.isArray(o)) continue;
    const t = o as Record<string, PbxValue>;
    if (t.isa !== 'PBXNativeTarget') continue;
    const phases: PbxTarget['phases'] = [];
    const resources: string[] = [];
    for (const p of Array.isArray(t.buildPhases) ? t.buildPhases : []) {
      const pid = ref(p);
      const phase = obj(pid);
      if (!phase) continue;
      const isa = unquote(phase.isa);
      const comment = typeof objects[`${pid}_comment`] === 'string' ? (objects[`${pid}_comment`] as string) : '';
      const name = unquote(phase.name) || comment || isa;
      phases.push({ isa, name, ...(isa === 'PBXShellScriptBuildPhase' ? { script: unquote(phase.shellScript) } : {}) });
      if (isa === 'PBXResourcesBuildPhase') {
        for (const f of Array.isArray(phase.files) ? phase.files : []) {
          const build = obj(ref(f));
          const fileRef = build ? obj(ref(build.fileRef)) : undefined;
          const path = fileRef ? unquote(fileRef.path) || unquote(fileRef.name) : '';
          if (path) resources.push(path.split('/').pop()!);
        }
      }
    }
    const settings: PbxTarget['settings'] = {};
    const list = obj(ref(t.buildConfigurationList));
    for (const c of list && Array.isArray(list.buildConfigurations) ? list.buildConfigurations : []) {
      const conf = obj(ref(c));
      if (!conf) continue;
      const bs = conf.buildSettings;
      const flat: Record<string, string> = {};
      if (bs && typeof bs === 'object' && !Array.isArray(bs)) {
        for (const [k, v] of Object.entries(bs)) if (typeof v === 'string' || typeof v === 'number') flat[k] = unquote(v);
      }
      settings[unquote(conf.name) || ref(c)] = flat;
    }
    targets.push({ name: unquote(t.name) || unquote(objects[`${id}_comment`]), productType: unquote(t.productType), phases, resources, settings });
  }
  targets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { targets };
}

// ---------------------------------------------------------------------------------------------
// AndroidManifest.xml

function androidAttr(el: Element, name: string): string | undefined {
  const v = el.getAttributeNS(ANDROID_NS, name);
  if (v !== null && v !== '') return v;
  const prefixed = el.getAttribute(`android:${name}`);
  return prefixed === null || prefixed === '' ? undefined : prefixed;
}

function children(el: XmlNode, name: string): Element[] {
  const out: Element[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1 && c.nodeName === name) out.push(c as Element);
  return out;
}

/** Resolves `.Foo` and `Foo` class names against the manifest package. */
function className(name: string, pkg: string | undefined): string {
  if (name.startsWith('.') && pkg) return pkg + name;
  if (!name.includes('.') && pkg) return `${pkg}.${name}`;
  return name;
}

/** Reads what the checks need from an AndroidManifest.xml. */
export function parseManifest(text: string): ManifestSummary {
  const doc = parseXml(text);
  const root = doc.documentElement!;
  if (root.nodeName !== 'manifest') throw new Malformed(`the root element is <${root.nodeName}>, not <manifest>`);
  const pkg = root.getAttribute('package') || undefined;
  // tools:node="remove" takes a permission out of the merged manifest (a library's, usually).
  const permElements = [...children(root, 'uses-permission'), ...children(root, 'uses-permission-sdk-23')];
  const removedBy = (el: Element) => /remove/.test(el.getAttributeNS(TOOLS_NS, 'node') || el.getAttribute('tools:node') || '');
  const permissions = permElements.filter((p) => !removedBy(p)).map((p) => androidAttr(p, 'name') ?? '').filter(Boolean);
  const removedPermissions = permElements.filter(removedBy).map((p) => androidAttr(p, 'name') ?? '').filter(Boolean);
  const activities: ManifestActivity[] = [];
  for (const app of children(root, 'application')) {
    for (const a of [...children(app, 'activity'), ...children(app, 'activity-alias')]) {
      const name = androidAttr(a, 'name');
      if (!name) continue;
      const exported = androidAttr(a, 'exported');
      const process = androidAttr(a, 'process');
      activities.push({
        name: className(name, pkg),
        ...(exported !== undefined ? { exported } : {}),
        ...(process !== undefined ? { process } : {}),
        filters: children(a, 'intent-filter').map((f) => ({
          actions: children(f, 'action').map((x) => androidAttr(x, 'name') ?? ''),
          categories: children(f, 'category').map((x) => androidAttr(x, 'name') ?? ''),
          schemes: children(f, 'data').map((x) => androidAttr(x, 'scheme') ?? '').filter(Boolean),
        })),
      });
    }
  }
  const q = children(root, 'queries');
  const packages = q.flatMap((x) => children(x, 'package')).map((p) => androidAttr(p, 'name') ?? '').filter(Boolean);
  return { ...(pkg ? { package: pkg } : {}), permissions, ...(removedPermissions.length ? { removedPermissions } : {}), activities, queries: { present: q.length > 0, packages } };
}

// ---------------------------------------------------------------------------------------------
// Gradle (Groovy and Kotlin DSL). No maintained JS parser exists for either; this reader blanks
// comments and string contents first (so a commented-out `jcenter()` or a URL inside a string
// cannot be mistaken for code), then reads statements from the code that remains.

interface Blanked {
  /** The source with comments replaced by spaces (newlines kept): positions and lines unchanged. */
  code: string;
  /** String literals by start offset (contents without quotes). */
  strings: Map<number, string>;
  /** The offsets sorted, made on first use (stringsIn). */
  offsets?: number[];
}

function blank(text: string): Blanked {
  const out = text.split('');
  const strings = new Map<number, string>();
  let i = 0;
  const n = text.length;
  const spaceOut = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < n) {
    const c = text[i]!;
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      spaceOut(i, stop);
      i = stop;
    } else if (c === '/' && d === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      spaceOut(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      while (j < n && !text.startsWith(q, j)) {
        if (text[j] === '\\') j++;
        else if (!triple && text[j] === '\n') break;
        j++;
      }
      strings.set(i, text.slice(i + q.length, Math.min(j, n)));
      i = Math.min(n, j + q.length);
    } else i++;
  }
  return { code: out.join(''), strings };
}

function lineAt(text: string, offset: number): number {
  return lineOf(text, offset);
}

/** The string literal starting at or after `from` on the same statement (`"x"`, `'x'`, or `("x")`). */
function stringAfter(b: Blanked, code: string, from: number): { value: string; at: number } | undefined {
  const m = /^\s*(?:[=:(]\s*)*(["'])/.exec(code.slice(from, from + 200));
  if (!m) return undefined;
  const at = from + m[0].length - 1;
  const value = b.strings.get(at);
  return value === undefined ? undefined : { value, at };
}

/** String literals whose start lies in (from, to), in order: a binary search over the sorted offsets, not a scan per call. */
function stringsIn(b: Blanked, from: number, to: number): Array<[number, string]> {
  const at = (b.offsets ??= [...b.strings.keys()].sort((x, y) => x - y));
  const out: Array<[number, string]> = [];
  for (let i = countAtMost(at, from); i < at.length && at[i]! < to; i++) out.push([at[i]!, b.strings.get(at[i]!)!]);
  return out;
}

/** The end of the line holding `at` (the offset of its newline, or the end of the text). */
function lineEnd(code: string, at: number): number {
  const eol = code.indexOf('\n', at);
  return eol === -1 ? code.length : eol;
}

/** Reads what the checks need from a build.gradle / build.gradle.kts / settings.gradle. */
export function parseGradle(text: string): GradleSummary {
  const b = blank(text);
  const code = b.code;
  const out: GradleSummary = { plugins: [], lastStatementLine: 0, repositories: [], dependencies: [], usesLibsDir: false, storeFiles: [], minify: false, proguardFiles: [], applyFrom: [], includes: [], projectDirs: {}, projectDeps: [] };

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
  // minifyEnabled true | isMinifyEnabled = true | minifyEnabled enableProguardInReleaseBuilds (the
  // React Native template: a `def` of this file, or an ext value, decides).
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

  // apply plugin: 'x'   |   apply(plugin = "x")   |   plugins { id 'x' / id("x") / alias(...) }
  const apply = /\bapply\s*(?:\(\s*)?plugin\s*(?::|=)\s*/g;
  for (let m; (m = apply.exec(code)); ) {
    const s = stringAfter(b, code, m.index + m[0].length);
    if (s) out.plugins.push({ id: s.value, form: 'apply', line: lineAt(text, m.index) });
  }
  const pluginsBlock = /\bplugins\s*\{/g;
  for (let m; (m = pluginsBlock.exec(code)); ) {
    const end = matchBrace(code, m.index + m[0].length);
    const body = code.slice(m.index, end);
    const id = /\bid\s*(?:\(\s*)?/g;
    for (let k; (k = id.exec(body)); ) {
      const s = stringAfter(b, code, m.index + k.index + k[0].length);
      if (s) out.plugins.push({ id: s.value, form: 'plugins-block', line: lineAt(text, m.index + k.index) });
    }
    // alias(libs.plugins.tac.services): the id is in the version catalog; gather resolves it.
    for (const a of body.matchAll(/\balias\s*\(\s*libs\.plugins\.([\w.]+)\s*\)/g)) out.plugins.push({ id: `libs.plugins.${a[1]}`, form: 'plugins-block', line: lineAt(text, m.index + a.index) });
  }
  out.plugins.sort((x, y) => x.line - y.line);

  const jcenter = /\bjcenter\s*\(\s*\)/g;
  for (let m; (m = jcenter.exec(code)); ) out.repositories.push({ kind: 'jcenter', text: 'jcenter()', line: lineAt(text, m.index) });
  for (const [at, s] of b.strings) {
    if (/bintray\.com/i.test(s)) out.repositories.push({ kind: 'bintray', text: s, line: lineAt(text, at) });
    if (/^[\w.-]+:[\w.-]+(:[^:\s]+)?$/.test(s)) out.dependencies.push(s);
    if (/^libs(\/|$)/.test(s) || /\blibs\/[^'"]*\.jar$/.test(s)) out.usesLibsDir = true;
  }
  out.repositories.sort((x, y) => x.line - y.line);
  const storeFile = /\bstoreFile\s*(?:=\s*)?file\s*\(\s*/g;
  for (let m; (m = storeFile.exec(code)); ) {
    const s = stringAfter(b, code, m.index + m[0].length);
    if (s) out.storeFiles.push(s.value);
  }
  // Last statement: the last line holding code at brace depth 0.
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
  out.lastStatementLine = lastLine;
  return out;
}

function matchBrace(code: string, open: number): number {
  let depth = 0;
  for (let k = open; k < code.length; k++) {
    if (code[k] === '{') depth++;
    else if (code[k] === '}' && --depth === 0) return k + 1;
  }
  return code.length;
}

/** JSON with a line number when malformed. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    // V8's message quotes the input ("...", "b": } is not valid JSON); keep only the reason.
    // Not even the offending character: it may be the first of a secret's.
    const reason = msg.replace(/ in JSON at position \d+.*$/s, '').replace(/, (?:\.\.\.)?".*$/s, '').replace(/^Unexpected token '.'/s, 'Unexpected character');
    throw new Malformed(`not valid JSON (${reason})`, pos ? lineAt(text, Number(pos[1])) : undefined);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Malformed('the JSON is not an object');
  return value as Record<string, unknown>;
}
