/**
 * The work of `tacpay decode`: what a pay_info holds, what is wrong with it, and whether its
 * signature holds under the assumed scheme (§7 D1). `--file` / `--batch` judge one pay_info per line
 * as NDJSON (src/batch, loaded only then). Start-up matters here: node:crypto (key parsing,
 * verification) is loaded only when a key is given, the batch machinery only for batches.
 */
import type { Issue } from '../../../core/issues.js';
import { textFromBytes } from '../../../core/payinfo-input.js';
import type { CheckOptions } from '../../../core/payinfo-verify.js';
import type { DecodeReport } from '../../../core/payinfo-report.js';
import { judgePayInfo } from '../../../flows/decode.js';
import type { Ctx } from '../../context.js';
import { TacpayError, UsageError } from '../../../errors.js';
import { assertOneStdin, readStdin } from '../../input.js';
import { loadKey } from '../../key-input.js';
import { writeJson } from '../../output.js';
import { WORKER_URLS } from '../../../batch/worker-urls.js';
import { NO_KEY_WORDS, renderDecode } from './render.js';

export interface DecodeOptions {
  publicKey?: string;
  expectAppid?: string;
  expectFingerprint?: string;
  file?: string;
  batch?: boolean;
  workers?: string;
}

/** What `decode --json` prints (one document). */

function validateUsage(opts: DecodeOptions, arg: string | undefined): { batch: boolean; workers?: number } {
  const batch = opts.file !== undefined || Boolean(opts.batch);
  if (opts.file !== undefined && opts.batch) throw new UsageError('give either --file or --batch, not both', '--batch reads stdin; --file reads a file (or - for stdin)');
  if (batch && arg !== undefined) throw new UsageError(`a pay_info argument was given together with ${opts.batch ? '--batch' : '--file'}`, 'decode one pay_info, or a batch of lines, not both');
  if (!batch && arg === undefined) throw new UsageError('missing pay_info', 'pass the pay_info string, - to read it from stdin, or --file/--batch for one pay_info per line');
  if (opts.workers !== undefined && !batch) throw new UsageError('--workers only applies to --file or --batch');
  let workers: number | undefined;
  if (opts.workers !== undefined) {
    if (!/^\d+$/.test(opts.workers) || Number(opts.workers) > 64) throw new UsageError(`--workers ${JSON.stringify(opts.workers)} is not a number from 0 to 64`);
    workers = Number(opts.workers);
  }
  if (opts.expectAppid !== undefined && !/^TC\d+$/.test(opts.expectAppid)) throw new UsageError(`--expect-appid ${JSON.stringify(opts.expectAppid)} is not an offerId (TC followed by digits)`, 'e.g. --expect-appid TC100008');
  if (opts.expectFingerprint !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(opts.expectFingerprint)) {
    throw new UsageError(`--expect-fingerprint ${JSON.stringify(opts.expectFingerprint)} is not a key fingerprint`, 'it looks like SHA256:<43 Base64 characters>, as tacpay prints for a key');
  }
  return workers === undefined ? { batch } : { batch, workers };
}

/** The action: validates usage, resolves key and expected appid, then decodes one pay_info or a batch. */
export async function runDecodeCommand(opts: DecodeOptions, ctx: Ctx, arg: string | undefined): Promise<number> {
  const { batch, workers } = validateUsage(opts, arg);
  const config = ctx.config({ platformPublicKey: opts.publicKey });
  const keySpec = config.values.platformPublicKey;
  const stdinUsers: Array<readonly [string, string | undefined]> = [
    ['the pay_info', arg],
    ['--public-key', keySpec?.value],
    ['--file', opts.file],
    ['--batch', opts.batch ? '-' : undefined],
  ];
  assertOneStdin(stdinUsers);
  // Only an explicitly set offerId is an expectation; there is no default to compare against.
  const expectAppid = opts.expectAppid ?? config.values.offerId?.value;
  const check: CheckOptions = {
    ...(expectAppid !== undefined ? { expectAppid } : {}),
    ...(opts.expectFingerprint ? { expectFingerprint: opts.expectFingerprint } : {}),
  };
  let spki: Uint8Array | undefined;
  if (keySpec) {
    const info = await loadKey(ctx, keySpec, 'public', 'platform public key');
    check.key = { publicKey: info.publicKey, bits: info.bits, fingerprint: info.fingerprint };
    if (batch) spki = info.publicKey.export({ type: 'spki', format: 'der' });
  }

  if (batch) {
    const { runBatch } = await import('../../../batch/run-batch.js');
    return runBatch(ctx, {
      ...(opts.file !== undefined ? { file: opts.file } : {}),
      check,
      workerInit: {
        ...(check.key && spki ? { key: { spki, bits: check.key.bits, fingerprint: check.key.fingerprint } } : {}),
        ...(expectAppid !== undefined ? { expectAppid } : {}),
        ...(opts.expectFingerprint ? { expectFingerprint: opts.expectFingerprint } : {}),
      },
      ...(workers !== undefined ? { workers } : {}),
      workerUrls: WORKER_URLS,
      noKeyWords: NO_KEY_WORDS,
    });
  }

  const text = arg === '-' ? await readOne(ctx) : arg!;
  const report = await decodeText(text, check);
  if (ctx.json) writeJson(ctx.stdout, report);
  else ctx.stdout.write(renderDecode(report, ctx));
  return report.valid ? 0 : 1;
}

/** One pay_info from stdin: exactly one trailing "\n" (or "\r\n") is the line end; anything else is judged. */
async function readOne(ctx: Ctx): Promise<string> {
  let bytes = await readStdin(ctx, 'pay_info');
  if (bytes.length && bytes[bytes.length - 1] === 10) bytes = bytes.subarray(0, bytes.length - (bytes.length > 1 && bytes[bytes.length - 2] === 13 ? 2 : 1));
  const { text, issues } = textFromBytes(bytes);
  if (text === undefined) throw inputError(issues);
  return text;
}

function inputError(issues: readonly Issue[]): TacpayError {
  const first = issues[0];
  return new TacpayError(first?.message ?? 'the input cannot be read', first?.hint, first?.code ?? 'input');
}

/** Judges one pay_info text (flows/decode.ts); input that is not a pay_info at all (empty, binary, ...) is a TacpayError. */
export async function decodeText(text: string, check: CheckOptions): Promise<DecodeReport> {
  const verify = check.key ? (await import('../../../core/payinfo-verify.js')).checkPayInfo : undefined;
  const judged = judgePayInfo(text, check, NO_KEY_WORDS, verify);
  if (judged.refused) throw inputError(judged.refused);
  return judged.report;
}
