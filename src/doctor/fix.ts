/**
 * --fix: the planner turns the fix actions of failing and warning findings into edits of XML
 * plists and AndroidManifest.xml (a missing URL scheme, query schemes, a <queries> entry, a
 * permission), keeping the file's formatting. Binary plists, malformed files and everything else
 * (pbxproj, Gradle) are never touched. Each edited text is re-parsed before it is offered, and
 * writes are atomic (temp file + rename).
 */
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { diffLib } from './deps.js';
import { parseManifest, parsePlistDict } from './parsers.js';
import type { Element } from '@xmldom/xmldom';
import type { Finding, FixAction, Snapshot } from './types.js';
import { appendChildren, EditRefused, elements, indentUnit, block, applyInsertions, XmlText, type Insertion } from './xml-edit.js';

const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

export interface PlannedEdit {
  /** Absolute path. */
  file: string;
  /** Path as shown (relative to the project root). */
  path: string;
  before: string;
  after: string;
  /** Unified diff of before -> after. */
  diff: string;
  /** What the edit does, one line each. */
  changes: string[];
  /** Check ids this edit addresses. */
  checks: string[];
}

export interface FixPlan {
  edits: PlannedEdit[];
  /** Files with wanted fixes that will not be edited, and why. */
  refused: Array<{ path: string; reason: string; checks: string[] }>;
}

interface Wanted {
  path: string;
  actions: FixAction[];
  checks: Set<string>;
}

/** Collects fix actions from failing and warning findings, per file, in report order. */
function wantedByFile(findings: readonly Finding[], snapshot: Snapshot): Map<string, Wanted> {
  const byFile = new Map<string, Wanted>();
  for (const f of findings) {
    if (f.status !== 'fail' && f.status !== 'warn') continue;
    for (const a of f.fix ?? []) {
      const entry = snapshot.files.used.find((u) => u.abs === a.file);
      const w = byFile.get(a.file) ?? { path: entry?.path ?? a.file, actions: [], checks: new Set<string>() };
      w.actions.push(a);
      w.checks.add(f.id);
      byFile.set(a.file, w);
    }
  }
  return byFile;
}

/** Plans every edit --fix would make. Reads the files; writes nothing. */
export async function planFixes(findings: readonly Finding[], snapshot: Snapshot): Promise<FixPlan> {
  const plan: FixPlan = { edits: [], refused: [] };
  for (const [file, w] of wantedByFile(findings, snapshot)) {
    const entry = snapshot.files.used.find((u) => u.abs === file);
    const checks = [...w.checks];
    if (entry?.format === 'binary plist') {
      plan.refused.push({ path: w.path, checks, reason: `a binary plist: tacpay does not edit binary plists (convert it with plutil -convert xml1 ${w.path}, or make the change in Xcode)` });
      continue;
    }
    if (entry?.error) {
      plan.refused.push({ path: w.path, checks, reason: `the file cannot be used (${entry.error}): fix it first` });
      continue;
    }
    let before: string;
    try {
      before = await readFile(file, 'utf8');
    } catch (err) {
      plan.refused.push({ path: w.path, checks, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      continue;
    }
    try {
      const isManifest = w.actions.some((a) => a.kind.startsWith('manifest-'));
      const { text, changes } = isManifest ? editManifest(before, w.actions) : editPlist(before, w.actions);
      if (text === before) continue;
      // Proof that the result is still what it was: well-formed and of the same kind.
      if (isManifest) parseManifest(text);
      else parsePlistDict(Buffer.from(text, 'utf8'));
      const diff = diffLib().createTwoFilesPatch(`a/${w.path}`, `b/${w.path}`, before, text, '', '', { context: 3 });
      plan.edits.push({ file, path: w.path, before, after: text, diff, changes, checks });
    } catch (err) {
      plan.refused.push({ path: w.path, checks, reason: err instanceof EditRefused ? err.message : `the edit would not re-parse (${(err as Error).message}); not offered` });
    }
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Info.plist

function rootDict(x: XmlText): Element {
  const plist = x.doc.documentElement!;
  const dict = elements(plist).find((e) => e.nodeName === 'dict');
  if (!dict) throw new EditRefused('the plist root is not a <dict>');
  return dict;
}

/** The value element of `<key>name</key>` in a dict, and the key element. */
function dictEntry(dict: Element, name: string): { key?: Element; value?: Element } {
  const kids = elements(dict);
  for (let i = 0; i < kids.length; i++) {
    if (kids[i]!.nodeName === 'key' && kids[i]!.textContent === name) return { key: kids[i]!, value: kids[i + 1] };
  }
  return {};
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Adds `name` with an array of `items` to the root dict, before the first key that sorts after it (Xcode keeps keys sorted). */
function addArrayKey(x: XmlText, dict: Element, name: string, items: ReadonlyArray<readonly string[]>, unit: string): Insertion[] {
  const kids = elements(dict);
  const next = kids.find((k) => k.nodeName === 'key' && (k.textContent ?? '') > name);
  const anchor = next ?? kids[kids.length - 1];
  const indent = anchor ? x.indentAt(x.start(anchor)) : x.indentAt(x.start(dict)) + unit;
  const arrayLines = ['<array>', ...items.flatMap((it) => it.map((l) => unit + l)), '</array>'];
  const snippet = [`<key>${esc(name)}</key>`, ...arrayLines];
  if (next) return [{ at: x.start(next), text: block(snippet, indent, x.eol) + x.eol + indent }];
  if (anchor) return [{ at: x.end(anchor), text: x.eol + indent + block(snippet, indent, x.eol) }];
  return appendChildren(x, dict, [[`<key>${esc(name)}</key>`], arrayLines], unit);
}

function editPlist(before: string, actions: readonly FixAction[]): { text: string; changes: string[] } {
  let text = before;
  const changes: string[] = [];
  // URL schemes first, then query schemes; each step re-parses, so positions are always fresh.
  const schemes = new Map<string, string>();
  const queries: string[] = [];
  for (const a of actions) {
    if (a.kind === 'plist-url-scheme') schemes.set(a.scheme, a.name);
    else if (a.kind === 'plist-query-schemes') for (const q of a.schemes) if (!queries.includes(q)) queries.push(q);
  }
  if (schemes.size) {
    const x = new XmlText(text);
    const dict = rootDict(x);
    const have = parsePlistDict(Buffer.from(text)).value;
    const existing = new Set((Array.isArray(have.CFBundleURLTypes) ? have.CFBundleURLTypes : []).flatMap((t) => ((t as Record<string, unknown>)?.CFBundleURLSchemes as unknown[]) ?? []));
    const unit = indentUnit(x, dict, elements(dict)[0], '\t');
    const entries = [...schemes].filter(([s]) => !existing.has(s)).map(([scheme, name]) => [
      '<dict>',
      `${unit}<key>CFBundleTypeRole</key>`,
      `${unit}<string>Editor</string>`,
      `${unit}<key>CFBundleURLName</key>`,
      `${unit}<string>${esc(name)}</string>`,
      `${unit}<key>CFBundleURLSchemes</key>`,
      `${unit}<array>`,
      `${unit}${unit}<string>${esc(scheme)}</string>`,
      `${unit}</array>`,
      '</dict>',
    ]);
    if (entries.length) {
      const { value } = dictEntry(dict, 'CFBundleURLTypes');
      if (value && value.nodeName !== 'array') throw new EditRefused('CFBundleURLTypes is not an <array>');
      text = applyInsertions(text, value ? appendChildren(x, value, entries, unit) : addArrayKey(x, dict, 'CFBundleURLTypes', entries, unit));
      for (const [s] of [...schemes].filter(([s]) => !existing.has(s))) changes.push(`add URL scheme ${s} to CFBundleURLTypes`);
    }
  }
  if (queries.length) {
    const x = new XmlText(text);
    const dict = rootDict(x);
    const have = parsePlistDict(Buffer.from(text)).value.LSApplicationQueriesSchemes;
    const missing = queries.filter((q) => !(Array.isArray(have) && have.includes(q)));
    if (missing.length) {
      const unit = indentUnit(x, dict, elements(dict)[0], '\t');
      const items = missing.map((q) => [`<string>${esc(q)}</string>`]);
      const { value } = dictEntry(dict, 'LSApplicationQueriesSchemes');
      if (value && value.nodeName !== 'array') throw new EditRefused('LSApplicationQueriesSchemes is not an <array>');
      text = applyInsertions(text, value ? appendChildren(x, value, items, unit) : addArrayKey(x, dict, 'LSApplicationQueriesSchemes', items, unit));
      changes.push(`add ${missing.join(', ')} to LSApplicationQueriesSchemes`);
    }
  }
  return { text, changes };
}

// ---------------------------------------------------------------------------------------------
// AndroidManifest.xml

function androidPrefix(root: Element): string {
  for (let i = 0; i < root.attributes.length; i++) {
    const a = root.attributes.item(i)!;
    if (a.value === ANDROID_NS && a.name.startsWith('xmlns:')) return a.name.slice(6);
  }
  throw new EditRefused('the manifest does not declare the android namespace (xmlns:android)');
}

function editManifest(before: string, actions: readonly FixAction[]): { text: string; changes: string[] } {
  let text = before;
  const changes: string[] = [];
  const packages: string[] = [];
  const permissions: string[] = [];
  for (const a of actions) {
    if (a.kind === 'manifest-queries') for (const p of a.packages) if (!packages.includes(p)) packages.push(p);
    if (a.kind === 'manifest-permissions') for (const p of a.permissions) if (!permissions.includes(p)) permissions.push(p);
  }
  if (permissions.length) {
    const x = new XmlText(text);
    const root = x.doc.documentElement!;
    const ns = androidPrefix(root);
    const have = parseManifest(text).permissions;
    const missing = permissions.filter((p) => !have.includes(p));
    if (missing.length) {
      const kids = elements(root);
      const lastPerm = [...kids].reverse().find((k) => k.nodeName === 'uses-permission');
      const lines = missing.map((p) => `<uses-permission ${ns}:name="${esc(p)}" />`);
      let ins: Insertion;
      if (lastPerm) {
        const indent = x.indentAt(x.start(lastPerm));
        ins = { at: x.end(lastPerm), text: lines.map((l) => x.eol + indent + l).join('') };
      } else if (kids[0]) {
        const indent = x.indentAt(x.start(kids[0]));
        ins = { at: x.start(kids[0]), text: lines.map((l) => l + x.eol + indent).join('') + x.eol + indent };
      } else throw new EditRefused('the manifest has no elements to place the permission next to');
      text = applyInsertions(text, [ins]);
      changes.push(`add ${missing.map((p) => p.split('.').pop()).join(', ')} permission${missing.length > 1 ? 's' : ''}`);
    }
  }
  if (packages.length) {
    const x = new XmlText(text);
    const root = x.doc.documentElement!;
    const ns = androidPrefix(root);
    const have = parseManifest(text).queries.packages;
    const missing = packages.filter((p) => !have.includes(p));
    if (missing.length) {
      const kids = elements(root);
      const unit = indentUnit(x, root, kids[0], '    ');
      const items = missing.map((p) => [`<package ${ns}:name="${esc(p)}" />`]);
      const queries = kids.find((k) => k.nodeName === 'queries');
      let ins: Insertion[];
      if (queries) ins = appendChildren(x, queries, items, unit);
      else {
        const app = kids.find((k) => k.nodeName === 'application');
        const lines = ['<queries>', ...missing.map((p) => `${unit}<package ${ns}:name="${esc(p)}" />`), '</queries>'];
        if (app) {
          const indent = x.indentAt(x.start(app));
          ins = [{ at: x.start(app), text: block(lines, indent, x.eol) + x.eol + x.eol + indent }];
        } else ins = appendChildren(x, root, [lines], unit);
      }
      text = applyInsertions(text, ins);
      changes.push(`add ${missing.join(', ')} to <queries>`);
    }
  }
  return { text, changes };
}

// ---------------------------------------------------------------------------------------------

/** Writes one file atomically: a temp file beside it (same mode), then rename over it. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.tacpay-${process.pid}-${Date.now()}.tmp`);
  let mode: number | undefined;
  try {
    mode = (await stat(file)).mode & 0o7777;
  } catch {
    /* new file: default mode */
  }
  try {
    await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
