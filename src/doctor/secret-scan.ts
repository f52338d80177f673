/**
 * Secrets hard-coded in files that ship with the app, found the way they are really written: a
 * private key split over `"MIIEv..." +` pieces in Java, adjacent `@"..." @"..."` literals in
 * Objective-C or `'...' '...'` in Dart, `static final String MIDAS_SECRET_KEY = "..."`, a JSON
 * `"offerKey": "..."`, a plist `<key>appKey</key>`. Source files are read with a small lexer that
 * knows comments and string literals of the C family (Java, Kotlin, ObjC, Swift, JS/TS, Dart), so a
 * key in a comment is still a key in the repository but a string joined across lines is one value.
 * Findings name the file, the line and what was found, never the value.
 */
import { parseKey } from '../core/keys.js';
import { lineOf } from './lines.js';

export interface SecretHit {
  line: number;
  what: string;
}

interface Literal {
  value: string;
  start: number;
  end: number;
}

/** Findings kept per file: a generated file full of keys says so in a few lines, not 20,000. */
const MAX_HITS = 50;

const SOURCE = /\.(java|kt|kts|m|mm|h|swift|[cm]?[jt]sx?|dart)$/i;

/** String literals of C-family source, comments skipped. */
export function literals(text: string): Literal[] {
  const out: Literal[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      const e = text.indexOf('\n', i);
      i = e === -1 ? n : e;
    } else if (c === '/' && d === '*') {
      const e = text.indexOf('*/', i + 2);
      i = e === -1 ? n : e + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      const triple = c !== '`' && text.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      let j = i + q.length;
      let value = '';
      while (j < n && !text.startsWith(q, j)) {
        const ch = text[j]!;
        if (ch === '\\' && j + 1 < n) {
          const e = text[j + 1]!;
          value += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
          j += 2;
          continue;
        }
        if (!triple && c !== '`' && ch === '\n') break;
        value += ch;
        j++;
      }
      const end = Math.min(n, j + q.length);
      out.push({ value, start: i, end });
      i = end;
    } else i++;
  }
  return out;
}

/** Runs of literals joined by `+`, adjacency (C, ObjC `@"a" @"b"`, Dart) or a line continuation. */
function joinRuns(text: string, lits: readonly Literal[]): Literal[] {
  const runs: Literal[] = [];
  for (const l of lits) {
    const last = runs[runs.length - 1];
    if (last && /^\s*(?:\+\s*|\\\s*)?@?$/.test(text.slice(last.end, l.start))) {
      last.value += l.value;
      last.end = l.end;
      (last as Literal & { pieces?: number }).pieces = ((last as Literal & { pieces?: number }).pieces ?? 1) + 1;
    } else runs.push({ ...l });
  }
  return runs;
}

/** Names that hold secrets: MIDAS_SECRET_KEY, RSA_PRIVATE_KEY, offerKey, kWechatAppKey, setOfferKey(...). */
export function secretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (/public|publickey|pubkey/.test(n)) return false;
  // App keys of SDKs that are meant to ship in the app (analytics, push, maps): ids, not secrets.
  if (/umeng|jpush|jiguang|amap|gaode|baidu|bugly|getui|xiaomi|huawei|oppo|vivo|meizu|growingio|talkingdata|sensors|firebase|google|facebook|analytics/.test(n)) return false;
  // *_API_KEY alone is too common (map keys ship); WeChat Pay's merchant API key is a secret.
  return /(privatekey|secretkey|offerkey|appkey|midaskey|appsecret|apisecret|merchantkey|mchkey|mchsecret|paykey|signkey|privkey|rsakey|(?:wx|wechat|weixin|mch|pay|merchant)apikey)$/.test(n);
}

/** A value that is a public key (PEM, or Base64 SPKI): a name like RSA_KEY may hold one, and it ships by design. */
function publicKeyValue(v: string): boolean {
  if (/-----BEGIN (?:RSA )?PUBLIC KEY-----/.test(v)) return true;
  const compact = v.replace(/\s+/g, '');
  return /^MII[A-Za-z0-9+/]+={0,2}$/.test(compact) && parseKey(compact, 'any').value?.kind === 'public';
}

/** A value that is a placeholder, a path, a sentence or a reference rather than a key. */
function placeholder(v: string): boolean {
  const t = v.trim();
  if (t.length < 16) return true;
  if (/\s/.test(t)) return true;
  if (/^(your|xxx|<|\{\{|\$\{|\$\(|@string\/|todo|placeholder|change|example|replace|insert|put|fill|dummy|test_?key|sample)/i.test(t)) return true;
  if (/:\/\/|^\.{0,2}\/|\.(pem|key|p12|der|txt|json)$/i.test(t)) return true;
  if (/^(.)\1+$/.test(t) || /^[x*#_-]+$/i.test(t)) return true;
  return false;
}


/** Key material in one value: a PEM or Base64 (PKCS#8 / PKCS#1) private key. */
function keyIn(value: string): string | undefined {
  if (/-----BEGIN (?:RSA |EC |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/.test(value)) return 'a PEM private key';
  const compact = value.replace(/\s+/g, '');
  for (const m of compact.matchAll(/MII[A-Za-z0-9+/]{200,}={0,2}/g)) {
    const parsed = parseKey(m[0], 'any');
    if (parsed.value?.kind === 'private') return `a Base64 private key (${parsed.value.fingerprint})`;
  }
  return undefined;
}

/** The name a literal run is assigned to or passed as: `X = "`, `X: "`, `#define X @"`, `setX("`, `"X": "`. */
function nameBefore(text: string, run: Literal, prev: Literal | undefined): string | undefined {
  if (prev && /^\s*:\s*$/.test(text.slice(prev.end, run.start))) return prev.value;
  // put("offerKey", "..."), setValue("MIDAS_SECRET_KEY", "..."): a name passed with its value.
  if (prev && /^\s*,\s*$/.test(text.slice(prev.end, run.start)) && /\(\s*$/.test(text.slice(Math.max(0, prev.start - 40), prev.start))) return prev.value;
  const pre = text.slice(Math.max(0, run.start - 160), run.start).replace(/@\s*$/, '');
  const m = /([A-Za-z_$][\w$]*)\s*(?::\s*[A-Za-z_][\w.<>?]*\s*)?(?:=|:|=>|\(|\s)\s*$/.exec(pre);
  return m?.[1];
}

/**
 * Scans one shipped file's text. `offerKey`: the configured one, found verbatim anywhere.
 * `names: false` (the TAC config files) looks for key material only: their analytics and QQ
 * appKeys are where the TAC docs put them, and the WeChat appKey has a check of its own.
 */
export function scanText(path: string, text: string, opts: { offerKey?: string; names?: boolean } = {}): SecretHit[] {
  const names = opts.names ?? true;
  const hits: SecretHit[] = [];
  const lines = new Set<number>();
  const add = (at: number, what: string) => {
    const line = lineOf(text, at);
    if (lines.has(line) || hits.length >= MAX_HITS) return;
    lines.add(line);
    hits.push({ line, what });
  };
  const offer = opts.offerKey && opts.offerKey.length >= 8 ? opts.offerKey : undefined;
  if (SOURCE.test(path) || /\.json$/i.test(path)) {
    const runs = joinRuns(text, literals(text));
    runs.forEach((r, i) => {
      const pieces = (r as Literal & { pieces?: number }).pieces;
      const key = keyIn(r.value);
      if (key) return add(r.start, `${key}${pieces ? ` split over ${pieces} string pieces` : ''}`);
      if (offer && r.value.includes(offer)) return add(r.start, 'the configured offerKey');
      const name = nameBefore(text, r, runs[i - 1]);
      if (names && name && secretName(name) && !placeholder(r.value) && !publicKeyValue(r.value)) add(r.start, `a literal ${name} value`);
    });
  } else {
    const key = keyIn(text);
    if (key) add(Math.max(0, text.search(/-----BEGIN|MII[A-Za-z0-9+/]{40}/)), key);
    // <key>appKey</key><string>...</string> (plists), <string name="midas_secret_key">...</string> (Android res)
    // Bounded quantifiers only: a `<key>` followed by thousands of spaces must not backtrack for minutes.
    for (const m of text.matchAll(/<key>([^<]{1,256})<\/key>[ \t\r\n]{0,256}<string>([^<]{0,8192})<\/string>|<string name="([^"]{1,256})"[^>]{0,256}>([^<]{0,8192})<\/string>|<meta-data\b[^>]{0,512}?android:name="([^"]{1,256})"[^>]{0,512}?android:value="([^"]{0,8192})"/g)) {
      const name = (m[1] ?? m[3] ?? m[5]!).trim();
      const value = (m[2] ?? m[4] ?? m[6]!).trim();
      if (names && secretName(name) && !placeholder(value)) add(m.index, `a literal ${name} value`);
    }
    // properties: midas.secret.key=...
    if (names && /\.(properties|cfg|ini|env)$/i.test(path)) {
      for (const m of text.matchAll(/^[ \t]*([\w.-]+)[ \t]*[=:][ \t]*(\S+)[ \t]*$/gm)) if (secretName(m[1]!) && !placeholder(m[2]!)) add(m.index, `a literal ${m[1]} value`);
    }
  }
  if (offer) {
    const at = text.indexOf(offer);
    if (at !== -1) add(at, 'the configured offerKey');
  }
  return hits.sort((a, b) => a.line - b.line);
}
