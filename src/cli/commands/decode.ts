/**
 * `tacpay decode <pay_info | ->`: what a pay_info holds, what is wrong with it, and whether its
 * signature holds under the assumed scheme (§7 D1). `--file` / `--batch` judge one pay_info per
 * line as NDJSON (src/cli/batch, loaded only then). Start-up matters here: node:crypto (key
 * parsing, verification) is loaded only when a key is given, the batch machinery only for batches.
 */
import type { Command } from 'commander';
import type { Issue, Severity } from '../../core/issues.js';
import { isOk } from '../../core/issues.js';
import { checkInputText, textFromBytes } from '../../core/payinfo-input.js';
import { parsePayInfo, PAYINFO_FIELDS, type ParsedPayInfo } from '../../core/payinfo.js';
import type { CheckOptions, SignatureResult } from '../../core/payinfo-verify.js';
import { CANDIDATE_WORDS, HASH_WORDS, SCHEME } from '../../core/payinfo-scheme.js';
import type { Ctx } from '../context.js';
import { TacpayError, UsageError } from '../errors.js';
import { action, examples, type App } from '../kit.js';
import { inert, writeJson } from '../output.js';

export interface DecodeOptions {
  publicKey?: string;
  expectAppid?: string;
  expectFingerprint?: string;
  file?: string;
  batch?: boolean;
  workers?: string;
}

/** What `decode --json` prints (one document). */
export interface DecodeReport {
  input: { length: number };
  valid: boolean;
  data: Record<string, unknown> | null;
  sign: { base64Length: number | null; bytes: number | null };
  issues: Issue[];
  signature: SignatureResult & { scheme: string; keyBits?: number };
}

const NO_KEY_WORDS = 'no public key; pass --public-key or set platformPublicKey';

// Where the worker bundle sits: next to the main bundle, which this file is bundled into (lazily
// loaded code may live in dist/chunks/, so the URL is made here). The extension follows the build
// format (scripts/build.mjs): CommonJS .cjs now, ESM .js before; the first that exists is used.
const WORKER_URLS = [new URL('./verify-worker.cjs', import.meta.url), new URL('./verify-worker.js', import.meta.url)];

export function registerDecode(program: Command, app: App): void {
  const cmd = program
    .command('decode')
    .description('show what a pay_info holds, judge every part, and check its signature (scheme assumed, §7 D1)')
    .argument('[pay_info]', 'the pay_info string (data=...&sign=...), or - to read one from stdin')
    .option('--public-key <file|->', 'platform public key that verifies the sign (default: platformPublicKey from config)')
    .option('--expect-appid <offerId>', 'data.appid must equal this offerId (default: the offerId setting, only when one is set)')
    .option('--expect-fingerprint <SHA256:...>', 'fingerprint of the key that should have signed: shown next to the key given when the check fails')
    .option('--file <file>', 'batch: judge one pay_info per line of <file> (- for stdin); NDJSON out')
    .option('--batch', 'batch: judge one pay_info per line of stdin; NDJSON out')
    .option('--workers <n>', 'batch: worker threads (0 = main thread only; default: one per core after 2,000 lines)')
    .action(action<DecodeOptions>(app, (opts, ctx, args) => runDecodeCommand(opts, ctx, args[0])));
  examples(cmd, [
    'tacpay decode "data=%7B...%7D&sign=..."                 fields, issues, signature status',
    'pbpaste | tacpay decode - --public-key platform.pem      one pay_info from stdin',
    'tacpay decode --json "$PAY_INFO" | jq .valid',
    'tacpay decode --file pay_infos.txt --public-key platform.pem > report.ndjson',
  ]);
  cmd.addHelpText(
    'after',
    `With -, exactly one trailing newline ends the input; other whitespace or quotes are judged.
--expect-appid falls back to the offerId setting (TACPAY_OFFER_ID or a config file) only when one is
set; with neither, appid is checked for form (TC + digits) only.
Batch output is NDJSON on stdout, one record per input line, in input order:
  {"line":1,"valid":true,"out_trade_no":"...","issues":[...],"signature":{"status":"verified",...}}
The summary goes to stderr. A line longer than 64 KiB gets a line.too-long record.
Exit codes: 0 valid, 1 invalid (an error issue, or the signature failed), 2 usage error.
`,
  );
}

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
  // input.js loads node:crypto (via keys.ts): import it only when stdin or a key is involved.
  if (stdinUsers.some(([, v]) => v === '-')) (await import('../input.js')).assertOneStdin(stdinUsers);
  // Only an explicitly set offerId is an expectation; there is no default to compare against.
  const expectAppid = opts.expectAppid ?? config.values.offerId?.value;
  const check: CheckOptions = {
    ...(expectAppid !== undefined ? { expectAppid } : {}),
    ...(opts.expectFingerprint ? { expectFingerprint: opts.expectFingerprint } : {}),
  };
  let spki: Uint8Array | undefined;
  if (keySpec) {
    const { loadKey } = await import('../input.js');
    const info = await loadKey(ctx, keySpec, 'public', 'platform public key');
    check.key = { publicKey: info.publicKey, bits: info.bits, fingerprint: info.fingerprint };
    if (batch) spki = info.publicKey.export({ type: 'spki', format: 'der' });
  }

  if (batch) {
    const { runBatch } = await import('../batch/run-batch.js');
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
  const { readStdin } = await import('../input.js');
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

/** Judges one pay_info text; input that is not a pay_info at all (empty, binary, ...) is a TacpayError. */
export async function decodeText(text: string, check: CheckOptions): Promise<DecodeReport> {
  const fatal = checkInputText(text);
  if (fatal.length) throw inputError(fatal);
  let parsed: ParsedPayInfo;
  let signature: SignatureResult;
  if (check.key) {
    const { checkPayInfo } = await import('../../core/payinfo-verify.js');
    ({ parsed, signature } = checkPayInfo(text, check));
  } else {
    parsed = parsePayInfo(text, check.expectAppid !== undefined ? { expectAppid: check.expectAppid } : {});
    signature = { status: 'not-checked', reason: NO_KEY_WORDS };
  }
  return {
    input: { length: text.length },
    valid: isOk(parsed.issues) && signature.status !== 'failed',
    data: parsed.data ?? null,
    sign: { base64Length: parsed.sign?.length ?? null, bytes: parsed.signBytes?.length ?? null },
    issues: parsed.issues,
    signature: { ...signature, scheme: SCHEME, ...(check.key ? { keyBits: check.key.bits } : {}) },
  };
}

const MARK: Record<Severity, string> = { error: '✗', warning: '!', info: 'i' };

/** Human rendering of a report; every decoded or quoted string goes through inert(). */
export function renderDecode(r: DecodeReport, ctx: Pick<Ctx, 'color'>): string {
  const c = ctx.color;
  const one = (s: string) => inert(s, { singleLine: true });
  const lines: string[] = [c.bold(`pay_info (${r.input.length} characters)`)];
  const fields: Array<[string, string]> = [];
  if (r.data) {
    const keys = [...PAYINFO_FIELDS.filter((f) => Object.hasOwn(r.data!, f)), ...Object.keys(r.data).filter((k) => !(PAYINFO_FIELDS as readonly string[]).includes(k))];
    for (const k of keys) {
      const v = r.data[k];
      fields.push([one(k), one(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v))]);
    }
  } else {
    fields.push(['data', c.dim('(not decoded: see the issues)')]);
  }
  fields.push(['sign', r.sign.base64Length === null ? c.dim('(none)') : `${r.sign.base64Length} Base64 characters${r.sign.bytes === null ? ' (not valid Base64)' : `, ${r.sign.bytes} bytes`}`]);
  const width = Math.max(...fields.map(([k]) => k.length));
  for (const [k, v] of fields) lines.push(`  ${k.padEnd(width)}  ${v}`);

  if (r.issues.length) {
    lines.push('', c.bold('issues'));
    const paint = (s: Severity, t: string) => (s === 'error' ? c.red(t) : s === 'warning' ? c.yellow(t) : c.cyan(t));
    for (const i of r.issues) {
      lines.push(`  ${paint(i.severity, `${MARK[i.severity]} ${i.severity}`)}  ${one(i.message)} ${c.dim(`[${i.code}]`)}`);
      if (i.hint) lines.push(`      ${c.dim('hint:')} ${one(i.hint)}`);
    }
  }

  const s = r.signature;
  lines.push('', `${c.bold('signature')}  ${c.dim(`scheme ${s.scheme}; production's pay_info scheme is undocumented`)}`);
  const key = s.keyFingerprint ? `key ${s.keyFingerprint}${s.keyBits ? ` (RSA-${s.keyBits})` : ''}` : '';
  if (s.status === 'verified') {
    lines.push(`  ${c.green('✓ verified')}: ${HASH_WORDS[s.hash ?? 'sha256']} over ${CANDIDATE_WORDS[s.candidate ?? 'decoded-json']}, ${key}`);
  } else if (s.status === 'failed') {
    lines.push(`  ${c.red('✗ failed')} with ${key}${s.expectedFingerprint ? `; expected key ${s.expectedFingerprint}` : ''}`);
    lines.push('  likely causes, most likely first:');
    (s.causes ?? []).forEach((cause, n) => {
      const tag = cause.confirmed ? c.green('[confirmed] ') : '';
      lines.push(`  ${n + 1}. ${tag}${one(cause.message)} ${c.dim(`[${cause.code}]`)}`);
      lines.push(`     ${c.dim('evidence:')} ${one(cause.evidence)}`);
    });
  } else {
    lines.push(`  not checked (${one(s.reason ?? NO_KEY_WORDS)})`);
  }

  const counts = (['error', 'warning'] as const).map((sev) => [sev, r.issues.filter((i) => i.severity === sev).length] as const).filter(([, n]) => n > 0);
  const tail = counts.length ? ` (${counts.map(([sev, n]) => `${n} ${sev}${n > 1 ? 's' : ''}`).join(', ')})` : '';
  lines.push('', r.valid ? c.green(`valid${tail}`) : c.red(`invalid${tail}${s.status === 'failed' ? ', signature failed' : ''}`));
  return lines.join('\n') + '\n';
}
