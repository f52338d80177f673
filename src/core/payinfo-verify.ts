/**
 * pay_info signature check under the sandbox's assumed scheme (spec §7 D1): SHA-256, then SHA-1,
 * over the decoded data JSON, the percent-encoded JSON, `data=`+decoded, `data=`+encoded. When none
 * verifies, the likely causes are ranked from evidence, and each one that can be repaired is
 * re-verified ("confirmed" means the repaired pay_info really verifies). Pure; never throws.
 * The RSA step is in payinfo-rsa.ts. (decode --file takes a byte-level shortcut for canonical lines:
 * src/batch/fast-scan.ts, held equal to this path by a property test.)
 */
import { hash as digestOf } from 'node:crypto';
import { isOk } from './issues.js';
import { PAYINFO_FIELDS, parsePayInfo, type ParsedPayInfo } from './payinfo.js';
import { isStrictBase64, lenientBase64Length, percentDecode, safeEncode } from './payinfo-encoding.js';
import type { SignatureCause, SignatureResult } from './payinfo-signature.js';
import { openSignature as open, type Opened, type VerifyKey } from './payinfo-rsa.js';
import { CANDIDATE_WORDS, CANDIDATES, HASH_WORDS, NO_KEY, type Candidate, type HashName } from './payinfo-scheme.js';

export type { SignatureCause, SignatureResult } from './payinfo-signature.js';
export type { VerifyKey } from './payinfo-rsa.js';
export type { Candidate, HashName } from './payinfo-scheme.js';
export { CANDIDATES, NO_KEY, SCHEME } from './payinfo-scheme.js';

export interface VerifyOptions {
  /** Fingerprint of the key that should have signed, when known: shown next to the one given. */
  expectFingerprint?: string;
}

interface DataForms {
  decoded: string;
  encoded: string;
}

/** The first candidate (in §7 D1 order) whose digest equals the recovered one. */
function matchCandidate(opened: Opened, forms: DataForms): { candidate: Candidate; hash: HashName } | undefined {
  if (!opened.ok || (opened.hash !== 'sha256' && opened.hash !== 'sha1')) return undefined;
  const hash = opened.hash;
  for (const candidate of CANDIDATES) {
    const text = candidateText(candidate, forms);
    if (digestOf(hash, text, 'buffer').equals(opened.digest)) return { candidate, hash };
  }
  return undefined;
}

function candidateText(c: Candidate, f: DataForms): string {
  return c === 'decoded-json' ? f.decoded : c === 'encoded-json' ? f.encoded : c === 'data=decoded' ? 'data=' + f.decoded : 'data=' + f.encoded;
}

/** Verifies text forms against a Base64 sign; the low-level primitive repairs reuse. */
function verifyForms(forms: DataForms, sign: string | undefined, key: VerifyKey): { candidate: Candidate; hash: HashName } | undefined {
  if (sign === undefined || !isStrictBase64(sign)) return undefined;
  return matchCandidate(open(Buffer.from(sign, 'base64'), key), forms);
}

/** A result for when no check was made. */
export function notChecked(reason: string): SignatureResult {
  return { status: 'not-checked', reason };
}

/** Checks a parsed pay_info's signature with `key` (§7 D1). Never throws. */
export function verifyPayInfo(parsed: ParsedPayInfo, key: VerifyKey, opts: VerifyOptions = {}): SignatureResult {
  try {
    return verifyUnsafe(parsed, key, opts);
  } catch (err) {
    return { status: 'failed', keyFingerprint: key.fingerprint, causes: [{ code: 'internal', message: 'the check itself failed (a bug in tacpay)', evidence: String((err as Error)?.message ?? err), confirmed: false }] };
  }
}

function verifyUnsafe(parsed: ParsedPayInfo, key: VerifyKey, opts: VerifyOptions): SignatureResult {
  if (parsed.dataText === undefined || parsed.dataRaw === undefined) return notChecked('the pay_info has no data part');
  if (parsed.sign === undefined) return notChecked('the pay_info has no sign part');
  const forms = { decoded: parsed.dataText, encoded: parsed.dataRaw };
  const opened = parsed.signBytes ? open(parsed.signBytes, key) : undefined;
  const match = opened ? matchCandidate(opened, forms) : undefined;
  // The input as given only verifies when nothing had to be removed or decoded before parsing.
  if (match && !parsed.wrapping && !parsed.encodedAgain) {
    const verified: SignatureResult = { status: 'verified', candidate: match.candidate, hash: match.hash, keyFingerprint: key.fingerprint };
    if (opts.expectFingerprint) verified.expectedFingerprint = opts.expectFingerprint;
    return verified;
  }
  const base: SignatureResult = { status: 'failed', keyFingerprint: key.fingerprint, ...(opts.expectFingerprint ? { expectedFingerprint: opts.expectFingerprint } : {}) };

  const causes: Ranked[] = [];
  const say = (code: string, score: number, message: string, evidence: string, confirmed = false) => causes.push({ code, message, evidence, confirmed, score });
  const how = (m: { candidate: Candidate; hash: HashName }) => `${HASH_WORDS[m.hash]} over ${CANDIDATE_WORDS[m.candidate]}`;

  if (parsed.wrapping) say('stray-wrapping', 40, match ? `copy-paste wrapping: without the ${parsed.wrapping} it verifies (${how(match)})` : 'copy-paste left quotes or whitespace around the pay_info', `found ${parsed.wrapping}`, Boolean(match));
  if (parsed.encodedAgain) say('double-encoding', 50, match ? `the whole pay_info was percent-encoded twice; decoded once more it verifies (${how(match)})` : 'the whole pay_info was percent-encoded twice', 'it starts data%3D instead of data=', Boolean(match));
  if (match) return finish(base, causes);

  if (opened?.ok) diagnoseData(parsed, key, opened, say, how);
  else diagnoseSign(parsed, key, opened, opts, say, how);
  if (!causes.length) say('unknown', 1, 'no likely cause found', 'the signature neither opens with the key nor shows a known repairable fault');
  return finish(base, causes);
}

type Say = (code: string, score: number, message: string, evidence: string, confirmed?: boolean) => void;
type How = (m: { candidate: Candidate; hash: HashName }) => string;
interface Ranked extends SignatureCause {
  score: number;
}

function finish(base: SignatureResult, causes: Ranked[]): SignatureResult {
  const ranked = causes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => Number(b.c.confirmed) - Number(a.c.confirmed) || b.c.score - a.c.score || a.i - b.i)
    .map(({ c }) => ({ code: c.code, message: c.message, evidence: c.evidence, confirmed: c.confirmed }));
  return { ...base, causes: ranked };
}

/** The key opens the signature, so the sign is intact and the key is right: the signed bytes differ. */
function diagnoseData(parsed: ParsedPayInfo, key: VerifyKey, opened: Opened & { ok: true }, say: Say, how: How): void {
  const hashWords = opened.hash.toUpperCase().replace('SHA', 'SHA-');
  if (opened.hash !== 'sha256' && opened.hash !== 'sha1') {
    say('other-digest', 90, `the signature was made with ${hashWords}, which §7 D1 does not try`, `the key opens the signature and it holds a ${hashWords} DigestInfo`);
    return;
  }
  const sign = parsed.sign;
  if (parsed.dataTwice !== undefined) {
    const m = verifyForms({ decoded: parsed.dataTwice, encoded: parsed.dataText! }, sign, key);
    say('double-encoding', 55, m ? `the data was percent-encoded twice; decoded once more it verifies (${how(m)})` : 'the data was percent-encoded twice', '%25 escapes in the data part', Boolean(m));
  }
  if (parsed.data) {
    const compactSame = JSON.stringify(parsed.data);
    const ordered: Record<string, unknown> = {};
    for (const f of PAYINFO_FIELDS) if (Object.hasOwn(parsed.data, f)) ordered[f] = parsed.data[f];
    for (const f of Object.keys(parsed.data)) if (!Object.hasOwn(ordered, f)) ordered[f] = parsed.data[f];
    const compactDoc = JSON.stringify(ordered);
    const json = parsed.dataTwice ?? parsed.dataText!;
    if (compactSame !== json || compactDoc !== json) {
      const tries = [...new Set([compactDoc, compactSame])].filter((t) => t !== json);
      let m: ReturnType<typeof verifyForms>;
      for (const t of tries) {
        m = verifyForms({ decoded: t, encoded: safeEncode(t) }, sign, key);
        if (m) break;
      }
      const what = compactSame !== json ? 'the data JSON has whitespace or escapes the compact form lacks' : 'the data keys are not in the documented order';
      say('data-reserialized', 70, m ? `the data JSON was re-serialized after signing; in compact form it verifies (${how(m)})` : 'the data JSON was re-serialized after signing (whitespace or key order changed)', what, Boolean(m));
    }
  }
  if (parsed.dataBadEscape) say('bad-percent-encoding', 65, 'the data part was cut or edited: it has a broken percent-escape, so it decodes to other bytes than were signed', `${JSON.stringify(parsed.dataBadEscape.seq)} at offset ${parsed.dataBadEscape.offset}`);
  say('data-changed', 60, 'the data changed after signing (or the signer signed another string than §7 D1 assumes)', `the key opens the signature and it holds a ${hashWords} digest, but of other bytes than any candidate`);
}

/** The key does not open the signature: a different key, or the sign itself was damaged. */
function diagnoseSign(parsed: ParsedPayInfo, key: VerifyKey, opened: Opened | undefined, opts: VerifyOptions, say: Say, how: How): void {
  const sign = parsed.sign ?? '';
  const forms = { decoded: parsed.dataTwice ?? parsed.dataText!, encoded: parsed.dataTwice !== undefined ? parsed.dataText! : parsed.dataRaw! };
  const keyBytes = Math.ceil(key.bits / 8);
  let repaired = false;
  let tried = false;
  const attempt = (code: string, score: number, repairedSign: string, yes: string, no: string, evidence: string) => {
    tried = true;
    const m = verifyForms(forms, repairedSign, key);
    if (m) repaired = true;
    say(code, score, m ? `${yes}; repaired, it verifies (${how(m)})` : no, evidence, Boolean(m));
  };
  if (sign.includes(' ')) {
    attempt('plus-as-space', 75, sign.replace(/ /g, '+'), 'a form decoder turned "+" into spaces in the sign', 'a form decoder turned "+" into spaces in the sign', `the sign holds ${sign.split(' ').length - 1} space(s) where Base64 has none`);
  }
  if (parsed.signTwice !== undefined || parsed.dataTwice !== undefined) {
    attempt('double-encoding', 55, parsed.signTwice ?? sign, 'the pay_info was percent-encoded twice', 'the pay_info was percent-encoded twice', '%25 escapes in the pay_info');
  }
  const trimmed = sign.replace(/^[\s"'`]+|[\s"'`]+$/g, '');
  if (trimmed !== sign && trimmed !== '') {
    attempt('stray-wrapping', 45, trimmed, 'copy-paste left whitespace or quotes in the sign', 'copy-paste left whitespace or quotes in the sign', `the sign is ${sign.length} characters, ${trimmed.length} without surrounding whitespace and quotes`);
  }
  if (repaired) return;

  const bytes = parsed.signBytes?.length ?? lenientBase64Length(percentDecode(sign).text);
  if (bytes < keyBytes) {
    // A shorter sign of exactly another key's size points at that key; any other length at a cut.
    const otherKey = parsed.signBytes !== undefined && [64, 128, 256].includes(bytes);
    say('sign-truncated', otherKey ? 40 : 80, 'the sign was truncated', `it decodes to ${bytes} bytes; an RSA-${key.bits} signature is ${keyBytes}`);
    if (otherKey) say('different-key', 85, `signed with a ${bytes * 8}-bit key, not the ${key.bits}-bit key given`, `the sign is ${bytes} bytes, the size of an RSA-${bytes * 8} signature; key given ${key.fingerprint}${expected(opts)}`);
    return;
  }
  if (bytes > keyBytes) {
    say('different-key', 85, `signed with a larger key than the ${key.bits}-bit key given`, `the sign is ${bytes} bytes; an RSA-${key.bits} signature is ${keyBytes}; key given ${key.fingerprint}${expected(opts)}`);
    return;
  }
  if (parsed.signBytes === undefined && !tried) {
    say('sign-unreadable', 20, 'the sign is not Base64, so it cannot be checked', 'see the sign issue');
    return;
  }
  if (opened && !opened.ok && opened.why === 'digestinfo') {
    say('other-scheme', 50, 'the key opens the signature, but it holds no standard DigestInfo (not PKCS#1 v1.5 with a known hash)', 'RSA padding is valid; the content is not a DigestInfo');
    return;
  }
  const given = key.fingerprint;
  const exp = opts.expectFingerprint;
  if (exp && exp !== given) {
    say('different-key', 90, 'the key given is not the expected key', `key given ${given}; expected ${exp}; the signature does not open with the key given`);
  } else if (exp && exp === given) {
    say('sign-altered', 70, 'the sign was altered, or the pay_info was signed by another key than the expected one', `the signature does not open with ${given}, which is the expected key`);
  } else {
    say('different-key', tried ? 50 : 70, 'signed with a different key (or the sign was altered)', `the signature does not open with key ${given} (RSA-${key.bits})`);
  }
}

function expected(opts: VerifyOptions): string {
  return opts.expectFingerprint ? `; expected ${opts.expectFingerprint}` : '';
}

export interface CheckOptions extends VerifyOptions {
  key?: VerifyKey;
  expectAppid?: string;
}

export interface PayInfoCheck {
  parsed: ParsedPayInfo;
  signature: SignatureResult;
  /** No error issue and the signature did not fail. */
  valid: boolean;
}

/** Parses, judges and (with a key) verifies one pay_info: what `decode` reports for one input or line. Never throws. */
export function checkPayInfo(input: string, opts: CheckOptions = {}): PayInfoCheck {
  const parsed = parsePayInfo(input, { expectAppid: opts.expectAppid, keyBits: opts.key?.bits });
  const signature = opts.key ? verifyPayInfo(parsed, opts.key, opts) : notChecked(NO_KEY);
  return { parsed, signature, valid: signature.status !== 'failed' && isOk(parsed.issues) };
}
