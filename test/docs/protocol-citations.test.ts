/**
 * Every "§x" tacpay shows a user must be a heading of docs/protocol.md, the protocol notes shipped in
 * the package: a citation to a section nobody can open is worse than none. Also keeps the source
 * and README from naming the team's private spec file, which users do not have.
 */
import { createPrivateKey, createPublicKey, createSign } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = 'docs/protocol.md';
const SELF = relative(ROOT, fileURLToPath(import.meta.url));

export interface Citation {
  file: string;
  line: number;
  /** The citation as written, e.g. "§3.2–3.5" or "§7 D1, D2". */
  written: string;
  /** The heading it names, e.g. "§3.3" or "§7 D2". */
  ref: string;
}

// `RFC 8017 §9.2` cites the RFC, not the notes. A section is dotted numbers (a trailing "." ends the
// sentence); "–3.5" makes a range; " D1, D2" / " D1–D3" are decisions of that section.
const CITATION =
  /(RFC\s*\d+\s*)?§(\d+(?:\.\d+)*)(?:\s*[–-]\s*(\d+(?:\.\d+)*))?((?:\s+D\d+(?:\s*(?:,|\/|–|-|and)\s*D\d+)*)?)/g;

/** "3.2"–"3.5" → 3.2, 3.3, 3.4, 3.5; endpoints only when they differ in more than the last number. */
function expandRange(from: string, to: string): string[] {
  const a = from.split('.').map(Number);
  const b = to.split('.').map(Number);
  const sameParent = a.length === b.length && a.slice(0, -1).every((n, i) => n === b[i]);
  const first = a.at(-1)!;
  const last = b.at(-1)!;
  if (!sameParent || last < first || last - first > 50) return [from, to];
  const parent = a.slice(0, -1);
  return Array.from({ length: last - first + 1 }, (_, i) => [...parent, first + i].join('.'));
}

function expandDecisions(list: string): number[] {
  const out: number[] = [];
  for (const m of list.matchAll(/D(\d+)(?:\s*[–-]\s*D(\d+))?/g)) {
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let d = from; d <= Math.max(from, Math.min(to, from + 50)); d++) out.push(d);
  }
  return out;
}

/**
 * The § citations in a file's text, one per heading named. Scans the whole text: in TypeScript a "§"
 * can only stand in a string, template or comment, so this is exactly the literals and comments.
 */
export function extractCitations(text: string, file: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(CITATION)) {
    if (m[1]) continue;
    const line = text.slice(0, m.index).split('\n').length;
    const written = m[0].trim();
    const sections = m[3] ? expandRange(m[2]!, m[3]) : [m[2]!];
    const decisions = m[4] ? expandDecisions(m[4]) : [];
    for (const s of sections) {
      if (decisions.length) for (const d of decisions) out.push({ file, line, written, ref: `§${s} D${d}` });
      else out.push({ file, line, written, ref: `§${s}` });
    }
  }
  return out;
}

/** The headings that open with a section number ("## §3.1 …", "### §7 D1 …"), outside code fences. */
export function sectionHeadings(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+§(\d+(?:\.\d+)*)(?:\s+(D\d+))?(?=\s|$)/.exec(line);
    if (m) out.push(m[2] ? `§${m[1]} ${m[2]}` : `§${m[1]}`);
  }
  return out;
}

/** The citations that name no heading, as "file:line: written (→ ref)" for a readable failure. */
export function missingCitations(citations: readonly Citation[], headings: readonly string[]): string[] {
  const known = new Set(headings);
  return citations.filter((c) => !known.has(c.ref)).map((c) => `${c.file}:${c.line}: ${c.written}${c.written === c.ref ? '' : ` (→ ${c.ref})`}`);
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .map((p) => join(dir, p))
    .filter((p) => pattern.test(p) && !p.includes('node_modules') && statSync(join(ROOT, p)).isFile())
    .sort();
}

function citationsIn(files: readonly string[]): Citation[] {
  return files.flatMap((f) => extractCitations(readFileSync(join(ROOT, f), 'utf8'), f));
}

const doc = readFileSync(join(ROOT, DOC), 'utf8');
const headings = sectionHeadings(doc);

describe('citation extraction (unit)', () => {
  const refs = (text: string) => extractCitations(text, 'x.ts').map((c) => c.ref);

  it('reads sections, decisions, lists and ranges, without the sentence-ending dot', () => {
    expect(refs("docs: 'spec §4.4, §4.5'")).toEqual(['§4.4', '§4.5']);
    expect(refs('/** result codes of §4.3. Every finding */')).toEqual(['§4.3']);
    expect(refs('// assumed, §7 D1')).toEqual(['§7 D1']);
    expect(refs('(§7 D1, D2) and §7 D4–D6')).toEqual(['§7 D1', '§7 D2', '§7 D4', '§7 D5', '§7 D6']);
    expect(refs('the five calls (spec §1, §3.2–3.5)')).toEqual(['§1', '§3.2', '§3.3', '§3.4', '§3.5']);
    expect(refs('FAQ item 8 (§4.7); §1.4 step 4; §1.4.4)')).toEqual(['§4.7', '§1.4', '§1.4.4']);
    expect(refs('`§2.1`:')).toEqual(['§2.1']);
  });

  it('skips sections of RFCs, which are not in the notes', () => {
    expect(refs('as RFC 8017 §8.2.2 says; (RFC 9112 §2.2) but spec §3.1')).toEqual(['§3.1']);
  });

  it('gives file and line, and reports a citation to a missing section or decision', () => {
    const found = extractCitations('ok §3.1\nbad §3.9 and §7 D9\nrange §1.4–1.6\n', 'src/x.ts');
    expect(found[1]).toEqual({ file: 'src/x.ts', line: 2, written: '§3.9', ref: '§3.9' });
    expect(missingCitations(found, ['§1.4', '§1.5', '§3.1', '§7 D1'])).toEqual([
      'src/x.ts:2: §3.9',
      'src/x.ts:2: §7 D9',
      'src/x.ts:3: §1.4–1.6 (→ §1.6)',
    ]);
    expect(missingCitations(found.slice(0, 1), ['§3.1'])).toEqual([]);
  });

  it('takes headings only when they start with the number, and not from code blocks', () => {
    const md = '# Title\n## §1 Order\n### §1.4 Signing\n### §7 D1 pay_info\n## Sources §2\n```\n## §9 in a fence\n```\n';
    expect(sectionHeadings(md)).toEqual(['§1', '§1.4', '§7 D1']);
  });
});

describe('docs/protocol.md', () => {
  it('has every section the code may cite, each heading once', () => {
    for (const h of ['§0', '§1', '§1.1', '§1.4', '§1.4.1', '§1.4.4', '§1.5', '§2', '§2.2', '§3', '§3.7', '§4', '§4.7', '§5', '§5.4', '§6', '§7']) {
      expect(headings).toContain(h);
    }
    for (let d = 1; d <= 6; d++) expect(headings).toContain(`§7 D${d}`);
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });

  it('opens with how to read a citation and where the file is in an npm install', () => {
    const top = doc.slice(0, doc.indexOf('## §0'));
    expect(top).toContain('§7 D1');
    expect(top).toContain('node_modules/tacpay/docs/protocol.md');
  });

  it('keeps the documented signing vector, identical to the fixture, and it still signs', () => {
    const v = JSON.parse(readFileSync(join(ROOT, 'fixtures/vectors/doc-signing.json'), 'utf8')) as {
      offerKey: string;
      privateKey: string;
      original: string;
      sign: string;
    };
    const section = doc.slice(doc.indexOf('#### §1.4.1'), doc.indexOf('#### §1.4.2'));
    expect(section).toContain(`offerKey : ${v.offerKey}\n`);
    expect(section).toContain(`privateKey : ${v.privateKey}\n`);
    expect(section).toContain(`\n${v.original}\n`);
    expect(section).toContain(`\n${v.sign}\n`);
    const key = createPrivateKey({ key: Buffer.from(v.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    expect(createSign('RSA-SHA256').update(v.original, 'utf8').sign(key, 'base64')).toBe(v.sign);
    const pem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----\n/.exec(section)?.[0];
    expect(pem).toBe(createPublicKey(key).export({ type: 'spki', format: 'pem' }));
  });
});

describe('every § citation names a section of docs/protocol.md', () => {
  it('in src/**/*.ts and README.md', () => {
    const cites = citationsIn([...filesUnder('src', /\.ts$/), 'README.md']);
    expect(cites.length).toBeGreaterThan(100);
    expect(missingCitations(cites, headings)).toEqual([]);
  });

  it('in fixtures/ and test/ (what tests and fixture readers see)', () => {
    const files = [...filesUnder('fixtures', /\.(md|json|mjs|ts)$/), ...filesUnder('test', /\.ts$/)].filter((f) => f !== SELF);
    expect(missingCitations(citationsIn(files), headings)).toEqual([]);
  });

  it('and nothing in src/ or README.md points at the team spec file users do not have', () => {
    const files = [...filesUnder('src', /./), 'README.md'];
    const hits = files.flatMap((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (line.includes('openmidas-protocol.md') ? [`${f}:${i + 1}`] : [])),
    );
    expect(hits).toEqual([]);
  });
});
