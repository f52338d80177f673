/**
 * The work of `tacpay sign`: reads the parameter sources in command-line order, builds the
 * string-to-sign, signs and/or verifies, and when a signature fails names the common implementation
 * mistake that reproduces it (core/sign-diagnosis.ts). The offerKey and private key never reach any
 * output: the string-to-sign is printed with the key replaced by its length, and a Redactor replaces
 * any secret text before anything is written.
 */
import { joinParams, paramText, type ParamValue } from '../../../core/canonical.js';
import { issue, type Issue } from '../../../core/issues.js';
import { describeFormat, privateBase64, type KeyInfo } from '../../../core/keys.js';
import { checkTs, mergeParams, parseParamArg, parseParamsJson, parseQueryString, requestQuery, type ParamSource } from '../../../core/params.js';
import { signText } from '../../../core/signature.js';
import { canonicalSha256, offerKeyPlaceholder, verifyRequestSignature } from '../../../core/sign-diagnosis.js';
import type { ConfigValue } from '../../../config/resolve.js';
import type { Ctx } from '../../context.js';
import { TacpayError, UsageError } from '../../../errors.js';
import { assertOneStdin, mayBeKeyText, readStdin, readUserFile } from '../../input.js';
import { loadKey } from '../../key-input.js';
import type { DecodedView, KeyView, SignResult } from './result.js';
import { Redactor } from './redact.js';
import { renderSign } from './render.js';

/** A repeatable input flag's value with its position on the command line (later wins). */
export interface Ordered {
  seq: number;
  value: string;
}

export interface SignOptions {
  param?: Ordered[];
  query?: Ordered[];
  paramsFile?: Ordered[];
  offerKey?: string;
  privateKey?: string;
  verify?: string;
  publicKey?: string;
}

function keyView(key: KeyInfo, source: string): KeyView {
  return { kind: key.kind, format: key.format, formatDescription: describeFormat(key.format), bits: key.bits, fingerprint: key.fingerprint, source };
}

/** Reads every parameter source in command-line order. */
async function readSources(opts: SignOptions, ctx: Ctx, issues: Issue[]): Promise<{ sources: ParamSource[]; decoded: DecodedView[] }> {
  const items = [
    ...(opts.param ?? []).map((o) => ({ ...o, kind: 'param' as const })),
    ...(opts.query ?? []).map((o) => ({ ...o, kind: 'query' as const })),
    ...(opts.paramsFile ?? []).map((o) => ({ ...o, kind: 'file' as const })),
  ].sort((a, b) => a.seq - b.seq);
  const sources: ParamSource[] = [];
  const decoded: DecodedView[] = [];
  for (const item of items) {
    if (item.kind === 'param') {
      const entry = parseParamArg(item.value).value;
      if (entry) sources.push({ label: '--param', entries: [entry] }); // malformed ones were rejected up front
    } else if (item.kind === 'query') {
      const parsed = parseQueryString(item.value);
      issues.push(...parsed.issues.map((i) => ({ ...i, message: `--query: ${i.message}` })));
      for (const p of parsed.value) {
        if (p.rawKey !== p.key || p.rawValue !== p.value) decoded.push({ name: p.key, given: `${p.rawKey}=${p.rawValue}`, decoded: `${p.key}=${p.value}` });
      }
      sources.push({ label: '--query', entries: parsed.value.map((p) => [p.key, p.value] as const) });
    } else {
      const label = item.value === '-' ? 'stdin' : item.value;
      const bytes = item.value === '-' ? await readStdin(ctx, 'parameters (JSON)') : await readUserFile(ctx, item.value, 'params file');
      const parsed = parseParamsJson(bytes.toString('utf8'));
      if (!parsed.value) {
        const e = parsed.issues[0]!;
        throw new TacpayError(`params file ${label}: ${e.message}`, e.hint, e.code);
      }
      issues.push(...parsed.issues.map((i) => ({ ...i, message: `${label}: ${i.message}` })));
      sources.push({ label, entries: parsed.value });
    }
  }
  return { sources, decoded };
}

/** Does the work: reads inputs and keys, builds the string, signs and/or verifies. Never prints results. */
export async function runSign(opts: SignOptions, ctx: Ctx, redactor: Redactor): Promise<SignResult> {
  checkSignFlags(opts);
  const { offerKeyValue, privateKeyValue } = secretsOf(opts, ctx, redactor);
  const issues: Issue[] = [];
  const { params, merged, decoded, excluded } = await gatherParams(opts, ctx, issues, Boolean(privateKeyValue));
  const offerKey = offerKeyValue.value;
  if (offerKey.trim() !== offerKey) {
    issues.push(issue('offer-key.whitespace', 'warning', `the offerKey from ${offerKeyValue.origin} has whitespace around it; it is appended as is`, { hint: 'remove the whitespace unless the console really issued it' }));
  }
  const ts = checkTs(params, ctx.now());
  issues.push(...ts.issues);

  const { privateKey, publicKey } = await loadKeys(opts, ctx, redactor, privateKeyValue, issues);
  const joined = joinParams(params);
  const stringToSign = joined + offerKey;
  const signature = privateKey?.privateKey ? signText(stringToSign, privateKey.privateKey) : undefined;
  const result: Omit<SignResult, 'issues'> = {
    params: Object.fromEntries(Object.entries(params).flatMap(([k, v]: [string, ParamValue]) => {
      const text = paramText(v);
      return text === undefined ? [] : [[k, text]];
    })),
    origin: merged.origin,
    excluded,
    decoded,
    canonical: joined,
    offerKeyAppended: { length: offerKey.length, source: offerKeyValue.origin },
    stringToSignSha256: canonicalSha256(stringToSign),
    ...(signature ? { signature, key: keyView(privateKey!, privateKeyValue!.origin), request: { query: requestQuery(params, signature) } } : {}),
    ...(ts.value ? { ts: ts.value } : {}),
  };

  if (opts.verify !== undefined) {
    result.verify = verifyPart(opts.verify, { params, offerKey, privateKey, publicKey, privateKeyValue, issues });
    // A request to send, from the verified signature, when nothing was signed here.
    if (!result.request && result.verify.verified && result.verify.signature) result.request = { query: requestQuery(params, result.verify.signature) };
  }
  return { ...result, issues };
}

/** The checks of the command line that need no key and no file: a typo is reported before anything about keys. */
function checkSignFlags(opts: SignOptions): void {
  assertOneStdin([
    ...(opts.paramsFile ?? []).filter((f) => f.value === '-').map((f) => ['--params-file', f.value] as const),
    ['--private-key', opts.privateKey],
    ['--public-key', opts.publicKey],
  ]);
  if (!opts.param?.length && !opts.query?.length && !opts.paramsFile?.length) {
    throw new UsageError('no parameters to sign', 'give --param k=v (repeatable), --query "a=1&b=2" or --params-file params.json');
  }
  // A malformed --param is a typo on this command line: report it before anything about keys.
  for (const p of opts.param ?? []) {
    const bad = parseParamArg(p.value).issues[0];
    if (bad) throw new UsageError(`--param ${bad.message}`, bad.hint);
  }
}

/** The offerKey and private key from flags, env and config, registered with the redactor before anything can print them; usage errors for what is missing. */
function secretsOf(opts: SignOptions, ctx: Ctx, redactor: Redactor): { offerKeyValue: ConfigValue; privateKeyValue: ConfigValue | undefined } {
  const config = ctx.config({ offerKey: opts.offerKey, privateKey: opts.privateKey });
  const offerKeyValue = config.values.offerKey;
  if (offerKeyValue) redactor.add(offerKeyValue.value, offerKeyPlaceholder(offerKeyValue.value.length));
  const privateKeyValue = config.values.privateKey;
  if (privateKeyValue && mayBeKeyText(privateKeyValue.value, privateKeyValue.baseDir)) {
    redactor.add(privateKeyValue.value, '<private key>');
    for (const line of privateKeyValue.value.split(/\s+/)) if (line.length >= 16 && !line.startsWith('-----')) redactor.add(line, '<private key>');
  }
  warnCommandLineSecrets(ctx, offerKeyValue, privateKeyValue);

  if (!offerKeyValue || offerKeyValue.value === '') {
    throw new UsageError(offerKeyValue ? `the offerKey from ${offerKeyValue.origin} is empty` : 'no offerKey: signing and verifying both append it to the string', 'set TACPAY_OFFER_KEY, or offerKey in tacpay.config.json (--offer-key works too, but shows in process lists)');
  }
  if (!privateKeyValue && opts.verify === undefined) {
    throw new UsageError(
      opts.publicKey ? '--public-key checks a signature: give it with --verify <sign>' : 'nothing to do: signing needs a private key, checking a signature needs --verify <sign>',
      'set TACPAY_PRIVATE_KEY or pass --private-key <file> to sign; add --verify <sign> --public-key <file> to check a signature (to check the sign in your input, pass it to --verify)',
    );
  }
  if (opts.verify !== undefined && !privateKeyValue && !opts.publicKey) {
    throw new UsageError('--verify needs the signer\'s public key', 'give --public-key <file> (the merchant public key), or --private-key to use its public half');
  }

  return { offerKeyValue, privateKeyValue };
}

/** Every parameter source merged (the later wins, noted), the sign parameter set aside. */
async function gatherParams(opts: SignOptions, ctx: Ctx, issues: Issue[], signing: boolean) {
  const { sources, decoded } = await readSources(opts, ctx, issues);
  const merged = mergeParams(sources);
  for (const o of merged.overrides) {
    issues.push(issue('params.override', 'info', `${o.key} is given by ${o.from} and again by ${o.to}; the later (${o.to}) wins`, { path: o.key }));
  }
  const params = merged.params;
  const signable = Object.keys(params).filter((k) => k !== 'sign' && paramText(params[k]) !== undefined);
  if (signable.length === 0) {
    throw new UsageError('no parameters to sign: the inputs hold none besides sign', 'give --param k=v (repeatable), --query "a=1&b=2" or --params-file params.json');
  }
  const excluded = Object.hasOwn(params, 'sign') ? ['sign'] : [];
  if (excluded.length) {
    issues.push(issue('params.sign-excluded', 'info', 'the input has a sign parameter: it is left out of the string-to-sign' + (signing ? ' and replaced in the request' : ''), {
      ...(opts.verify === undefined ? { hint: 'to check that sign, pass it to --verify' } : {}),
      path: 'sign',
    }));
  }
  return { params, merged, decoded, excluded };
}

/** The private key (its Base64 redacted too) and the --public-key, with a warning when they are not a pair. */
async function loadKeys(opts: SignOptions, ctx: Ctx, redactor: Redactor, privateKeyValue: ConfigValue | undefined, issues: Issue[]) {
  const privateKey = privateKeyValue ? await loadKey(ctx, privateKeyValue, 'private', 'private key') : undefined;
  if (privateKey?.privateKey) redactor.add(privateBase64(privateKey.privateKey), '<private key>');
  const publicKey = opts.publicKey ? await loadKey(ctx, opts.publicKey, 'public', 'public key') : undefined;
  if (privateKey && publicKey && privateKey.fingerprint !== publicKey.fingerprint) {
    issues.push(issue('key.pair-mismatch', 'warning', `the public key (${publicKey.fingerprint}) does not belong to the private key (${privateKey.fingerprint})`, {
      hint: 'a signature from this private key will not verify with that public key',
    }));
  }

  return { privateKey, publicKey };
}

type LoadedKey = Awaited<ReturnType<typeof loadKey>>;

/** --verify: the given signature checked (repaired when it is not strict Base64), with the diagnosis of a failure. */
function verifyPart(
  given: string,
  c: { params: Record<string, ParamValue>; offerKey: string; privateKey: LoadedKey | undefined; publicKey: LoadedKey | undefined; privateKeyValue: ConfigValue | undefined; issues: Issue[] },
): NonNullable<SignResult['verify']> {
  const verifier = c.publicKey ?? c.privateKey!;
  const outcome = verifyRequestSignature({ params: c.params, offerKey: c.offerKey, given, publicKey: verifier.publicKey });
  // Unreadable signatures and diagnosis findings are part of verify's result (shown there), not warnings.
  if (outcome.signature.repairs.length && outcome.signature.base64) {
    c.issues.push(issue('sign.repaired', 'warning', `the signature to verify is not strict Base64; repaired (${outcome.signature.repairs.map((r) => r.description).join('; ')}) and checked`, {
      hint: 'the signer\'s value is standard Base64: decode it from the URL once, and keep its + signs',
      path: 'sign',
    }));
  }
  return {
    given,
    signature: outcome.signature.base64 ?? null,
    repairs: outcome.signature.repairs,
    verified: outcome.verified,
    publicKey: c.publicKey
      ? keyView(c.publicKey, '--public-key')
      : { ...keyView(verifier, c.privateKeyValue!.origin), kind: 'public', formatDescription: 'the public half of the private key' },
    ...(outcome.signature.issues.length ? { problems: outcome.signature.issues } : {}),
    ...(outcome.diagnosis ? { diagnosis: outcome.diagnosis } : {}),
  };
}

/** One warning when a secret is on the command line itself (a key file path is not a secret). */
function warnCommandLineSecrets(ctx: Ctx, offerKey: ConfigValue | undefined, privateKey: ConfigValue | undefined): void {
  const flags = [
    ...(offerKey?.source === 'flag' ? ['--offer-key'] : []),
    ...(privateKey?.source === 'flag' && mayBeKeyText(privateKey.value, privateKey.baseDir) ? ['--private-key'] : []),
  ];
  if (!flags.length) return;
  const env = [...(flags.includes('--offer-key') ? ['TACPAY_OFFER_KEY'] : []), ...(flags.includes('--private-key') ? ['TACPAY_PRIVATE_KEY (or --private-key <file>)'] : [])];
  ctx.warn(`${flags.join(' and ')} ${flags.length === 1 ? 'puts a secret' : 'put secrets'} on the command line, where other users can read ${flags.length === 1 ? 'it' : 'them'} in process lists and shell history keeps ${flags.length === 1 ? 'it' : 'them'}; set ${env.join(' and ')} instead, or use tacpay.config.json`);
}

/** The action: runs, prints notes and the result, and makes sure no error echoes a secret. Returns the exit code. */
export async function runSignCommand(opts: SignOptions, ctx: Ctx): Promise<number> {
  const redactor = new Redactor();
  try {
    const result = await runSign(opts, ctx, redactor);
    for (const i of result.issues) {
      const text = redactor.apply(`${i.message}${i.hint ? ` — ${i.hint}` : ''}`);
      if (i.severity !== 'info') ctx.warn(text);
      else if (!ctx.json) ctx.note(`note: ${text}`);
    }
    ctx.stdout.write(redactor.apply(ctx.json ? JSON.stringify(result, null, 2) + '\n' : renderSign(result, ctx)));
    return result.verify && !result.verify.verified ? 1 : 0;
  } catch (err) {
    // Errors are rendered by main.ts; make sure none of them echoes a secret.
    if (err instanceof TacpayError) {
      err.message = redactor.apply(err.message);
      if (err.hint) Object.assign(err, { hint: redactor.apply(err.hint) });
    }
    throw err;
  }
}
