/**
 * The work of `tacpay keys match`: do two files form a key pair? Equal fingerprints say the
 * public halves agree; a real sign/verify round trip also proves the private part fits (a damaged
 * private key can keep a correct modulus and still sign garbage).
 */
import { randomUUID } from 'node:crypto';
import { describeFormat, knownKey, type KeyInfo } from '../../../core/keys.js';
import { signText, verifyBytes } from '../../../core/signature.js';
import type { Ctx } from '../../context.js';
import { assertOneStdin } from '../../input.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { kindWords, loadAnyKey, subjectLine, summarize, type KeySummary, type LoadedKey } from './source.js';

export interface MatchResult {
  match: boolean;
  fingerprintsEqual: boolean;
  /** `verified`: signed with the private key, verified with the public one. `skipped`: no private key to sign with. */
  signatureCheck: 'verified' | 'failed' | 'skipped';
  private: KeySummary;
  public: KeySummary;
  /** Remarks that hold whether or not the keys match (swapped arguments, a private key given as the public one). */
  notes: string[];
  /** Why they do not match, and what to do; only when `match` is false. */
  problem?: string;
  hint?: string;
}

/** Signs a fresh challenge with `signer` and verifies it with `verifier`; any failure is `false`. */
function roundTrip(signer: KeyInfo, verifier: KeyInfo): boolean {
  const challenge = `tacpay keys match ${randomUUID()}`;
  try {
    const sig = signText(challenge, signer.privateKey!);
    return verifyBytes(challenge, Buffer.from(sig, 'base64'), verifier.publicKey);
  } catch {
    return false;
  }
}

const name = (s: string): string => inert(s, { singleLine: true });

/** Compares two keys. Pure apart from reading the inputs; the verdict is in the result, not an exception. */
export async function runMatch(privArg: string, pubArg: string, ctx: Ctx): Promise<MatchResult> {
  assertOneStdin([
    ['<private>', privArg],
    ['<public>', pubArg],
  ]);
  let priv = await loadAnyKey(ctx, privArg, 'private key');
  let pub = await loadAnyKey(ctx, pubArg, 'public key');
  const notes: string[] = [];

  if (priv.key.kind === 'public' && pub.key.kind === 'private') {
    // Which file is which is plain from the contents, so answer the question rather than refuse it.
    notes.push(`the arguments were swapped (${name(priv.source)} is the public key, ${name(pub.source)} the private key); compared them the right way round`);
    [priv, pub] = [pub, priv];
  }
  if (pub.key.kind === 'private' && priv.key.kind === 'private') {
    notes.push(`${name(pub.source)} is itself a private key; its public half was compared. Share only a public key file (tacpay keys inspect prints one)`);
  }
  const fingerprintsEqual = priv.key.fingerprint === pub.key.fingerprint;
  const canSign = priv.key.kind === 'private';
  const signatureCheck = !canSign ? 'skipped' : roundTrip(priv.key, pub.key) ? 'verified' : 'failed';
  const result: MatchResult = {
    match: fingerprintsEqual && signatureCheck === 'verified',
    fingerprintsEqual,
    signatureCheck,
    private: summarize(priv),
    public: summarize(pub),
    notes,
  };
  if (!result.match) Object.assign(result, diagnose(priv, pub, fingerprintsEqual, canSign));
  return result;
}

/** The one-line problem and the hint that says which file is likely wrong. */
function diagnose(priv: LoadedKey, pub: LoadedKey, fingerprintsEqual: boolean, canSign: boolean): { problem: string; hint: string } {
  const p = name(priv.source);
  const q = name(pub.source);
  if (!canSign) {
    const same = fingerprintsEqual ? 'both hold the same public key' : 'they hold different public keys';
    return {
      problem: `${p} is not a private key (it holds a ${kindWords(priv.key)}: ${describeFormat(priv.key.format)}), so there is nothing to sign with; ${same}`,
      hint: `give the private key first: tacpay keys match <private key file> ${q}`,
    };
  }
  if (fingerprintsEqual) {
    return {
      problem: `${p} and ${q} have the same public key (${priv.key.fingerprint}), but a signature made with ${p} does not verify: ${p} is damaged`,
      hint: 'its private part no longer fits its public modulus; restore it from a good copy, or generate a new pair (tacpay keys generate) and replace the public key everywhere',
    };
  }
  const problem = `${p} (${priv.key.fingerprint}) and ${q} (${pub.key.fingerprint}) are not a key pair`;
  const knownPub = knownKey(pub.key.fingerprint);
  const knownPriv = knownKey(priv.key.fingerprint);
  if (knownPub) return { problem, hint: `${q} is ${knownPub}, so it cannot belong to your key; use the public half of ${p} (tacpay keys inspect ${p})` };
  if (knownPriv) return { problem, hint: `${p} is ${knownPriv}, not your merchant key; use the private key issued for your offerId` };
  if (pub.key.kind === 'private') {
    return { problem, hint: `${q} is a different private key, not a public key: it is probably the wrong file. tacpay keys inspect ${p} prints the public key that belongs to ${p}` };
  }
  if (pub.key.certificateSubject !== undefined) {
    return { problem, hint: `${q} is a certificate for "${subjectLine(pub.key.certificateSubject)}" issued for another key; check it is the certificate made from ${p}` };
  }
  if (priv.key.bits !== pub.key.bits) {
    return { problem, hint: `the sizes differ (${priv.key.bits} and ${pub.key.bits} bits), so they come from different pairs; tacpay keys inspect ${p} prints the public key that belongs to it` };
  }
  return { problem, hint: `the private key is the one that signs, so the public file is usually the stale one: replace it with the public half that tacpay keys inspect ${p} prints` };
}

/** Human form: both keys with their fingerprints, the signature check, the verdict. */
export function renderMatch(r: MatchResult, ctx: Ctx): string {
  const c = ctx.color;
  const line = (s: KeySummary): string => `${name(s.source)}  ${c.dim(`${s.formatDescription}, ${s.bits} bits`)}`;
  const check =
    r.signatureCheck === 'verified' ? c.green('verified') + ' (signed with the private key, verified with the public key)' : r.signatureCheck === 'failed' ? c.red('does not verify') : c.dim('skipped (no private key to sign with)');
  const out = rows([
    ['private', line(r.private)],
    ['', c.cyan(r.private.fingerprint)],
    ['public', line(r.public)],
    ['', c.cyan(r.public.fingerprint)],
    ['signature', check],
  ]);
  const notes = r.notes.map((n) => `note: ${n}\n`).join('');
  const verdict = r.match ? c.green('match: the two files are a key pair') : c.red('no match');
  return `${out}${notes}${verdict}\n`;
}
