/** The work of `tacpay keys inspect`: what a key is, its size and fingerprint, and its public half. Never prints private material. */
import type { Issue } from '../../../core/issues.js';
import { publicPem } from '../../../core/keys.js';
import type { Ctx } from '../../context.js';
import { rows } from '../../output.js';
import { inert } from '../../../core/inert.js';
import { loadAnyKey, subjectLine, summarize, type KeySummary } from './source.js';

export interface InspectResult extends KeySummary {
  /** The public half as SPKI PEM: for a private key, derived from it. */
  publicKeyPem: string;
  /** parseKey's info and warning notes. */
  issues: Issue[];
}

/** Reads and describes one key. */
export async function runInspect(file: string, ctx: Ctx): Promise<InspectResult> {
  const loaded = await loadAnyKey(ctx, file, 'key');
  return { ...summarize(loaded), publicKeyPem: publicPem(loaded.key), issues: loaded.issues };
}

/** Human form: a few aligned rows, the notes, then the public key PEM (ready to copy). */
export function renderInspect(r: InspectResult, ctx: Ctx): string {
  const c = ctx.color;
  const pairs: Array<[string, string]> = [
    ['kind', r.certificateSubject !== undefined ? 'certificate (holds a public key)' : `${r.kind} key (RSA)`],
    ['format', r.formatDescription],
    ['size', `${r.bits} bits`],
    ['fingerprint', c.cyan(r.fingerprint)],
  ];
  if (r.certificateSubject !== undefined) pairs.push(['subject', subjectLine(r.certificateSubject)]);
  // Warnings already went to stderr (ctx.warn); info notes are part of what inspect reports.
  for (const i of r.issues) if (i.severity === 'info') pairs.push(['note', inert(i.message, { singleLine: true })]);
  const head = `${c.bold(inert(r.source, { singleLine: true }))}\n${rows(pairs)}`;
  const what = r.kind === 'private' ? 'public half (SPKI PEM), safe to share' : 'public key (SPKI PEM)';
  return `${head}\n${c.dim(what + ':')}\n${r.publicKeyPem}`;
}
