import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKey } from '../../src/core/keys.js';
import { cleanEnv, json, runCli, tempDir, type RunOptions, type RunResult } from '../helpers/cli.js';
import { docPublicPem, docVector, FIXTURES } from '../helpers/fixtures.js';

const KEY = docVector.offerKey;
const PARAMS_FILE = join(FIXTURES, 'sign/vector-params.json');
const PRIVATE = join(FIXTURES, 'keys/doc-private.b64');
const PUBLIC = join(FIXTURES, 'keys/doc-public.pem');
const FINGERPRINT = parseKey(docPublicPem, 'public').value!.fingerprint;
const JOINED = docVector.original.slice(0, -KEY.length);
/** sha256sum of the documented string-to-sign (offerKey included). */
const DOC_SHA256 = '906af1ef25445bc8f833da06817a562fb2ae8e1d5d3e1c9431cbd57ac3aa96b7';
/** ts of the vector read as epoch−28800 is exactly this instant: no ts warning. */
const VECTOR_NOW = new Date((Number(docVector.params.ts) + 28800) * 1000);

const envWithKey = (extra: Record<string, string | undefined> = {}) => cleanEnv({ TACPAY_OFFER_KEY: KEY, ...extra });
const run = (args: string[], opts: RunOptions = {}) => runCli(['sign', ...args], { env: envWithKey(), now: VECTOR_NOW, ...opts });
const paramArgs = (params: Record<string, string>) => Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]);

/** A wrong signature, made the way a buggy implementation would (values percent-encoded). */
function uriEncodedSign(): string {
  const key = createPrivateKey({ key: Buffer.from(docVector.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  const text = Object.keys(docVector.params).sort().map((k) => `${k}=${encodeURIComponent(docVector.params[k]!)}`).join('&') + KEY;
  return createSign('RSA-SHA256').update(text).sign(key, 'base64');
}

describe('tacpay sign: the documented vector', () => {
  it('--params-file with --offer-key and --private-key reproduces the documented sign (human)', async () => {
    const r = await runCli(['sign', '--params-file', PARAMS_FILE, '--offer-key', KEY, '--private-key', PRIVATE], { now: VECTOR_NOW });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`signature       ${docVector.sign}\n`);
    expect(r.stdout).toContain(`string to sign  ${JOINED}<offerKey: 32 chars>\n`);
    expect(r.stdout).toContain(DOC_SHA256);
    expect(r.stdout).toContain(`RSA-2048 private key ${FINGERPRINT}`);
    expect(r.stdout).toContain(`&sign=${encodeURIComponent(docVector.sign)}\n`);
  });

  it('--json: exactly one document with canonical (no key), key length, hash, signature, key and request', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--private-key', PRIVATE, '--json']);
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(doc.signature).toBe(docVector.sign);
    expect(doc.canonical).toBe(JOINED);
    expect(doc.offerKeyAppended).toEqual({ length: 32, source: 'TACPAY_OFFER_KEY' });
    expect(doc.stringToSignSha256).toBe(DOC_SHA256);
    expect(doc.key).toMatchObject({ kind: 'private', bits: 2048, fingerprint: FINGERPRINT, format: 'pkcs8-der-base64' });
    const sent = Object.fromEntries(new URLSearchParams(doc.request.query));
    expect(sent).toEqual({ ...docVector.params, sign: docVector.sign });
    expect(doc.request.query).not.toMatch(/[^A-Za-z0-9\-._~%=&]/);
    expect(doc.issues).toEqual([]);
    expect(r.stderr).toBe('');
  });

  it('--param gives the same signature', async () => {
    const r = await run([...paramArgs(docVector.params), '--private-key', PRIVATE, '--json']);
    expect(json(r).signature).toBe(docVector.sign);
  });

  it('--query with percent-escapes gives the same signature and shows what it decoded', async () => {
    const query = new URLSearchParams(docVector.params).toString();
    const r = await run(['--query', query, '--private-key', PRIVATE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(docVector.sign);
    expect(r.stdout).toContain('decoded from --query:');
    expect(r.stdout).toMatch(/product_name=%E9%87%91%E5%85%83%E5%AE%9D\s+→ product_name=金元宝/);
    const doc = json(await run(['--query', query, '--private-key', PRIVATE, '--json']));
    expect(doc.decoded.map((d: { name: string }) => d.name)).toEqual(['product_detail', 'product_name']);
  });

  it('--params-file - reads the JSON from stdin; --private-key - reads the key from stdin', async () => {
    const fromStdin = await run(['--params-file', '-', '--private-key', PRIVATE, '--json'], { stdin: JSON.stringify(docVector.params) });
    expect(json(fromStdin).signature).toBe(docVector.sign);
    const keyFromStdin = await run(['--params-file', PARAMS_FILE, '--private-key', '-', '--json'], { stdin: docVector.privateKey });
    expect(json(keyFromStdin).signature).toBe(docVector.sign);
  });
});

describe('tacpay sign: combining inputs', () => {
  it('the source later on the command line wins, and a note says so', async () => {
    const fileThenParam = await run(['--params-file', PARAMS_FILE, '--param', 'ts=1', '--private-key', PRIVATE, '--json']);
    const paramThenFile = await run(['--param', 'ts=1', '--params-file', PARAMS_FILE, '--private-key', PRIVATE, '--json']);
    expect(json(fileThenParam).params.ts).toBe('1');
    expect(json(fileThenParam).origin.ts).toBe('--param');
    expect(json(paramThenFile).params.ts).toBe(docVector.params.ts);
    expect(json(paramThenFile).signature).toBe(docVector.sign);
    const human = await run(['--params-file', PARAMS_FILE, '--param', 'ts=1', '--private-key', PRIVATE]);
    expect(human.stderr).toContain(`ts is given by ${PARAMS_FILE} and again by --param; the later (--param) wins`);
  });

  it('an empty value is kept as k=', async () => {
    const doc = json(await run(['--param', 'a=1', '--param', 'metadata=', '--param', 'ts=1', '--private-key', PRIVATE, '--json']));
    expect(doc.canonical).toBe('a=1&metadata=&ts=1');
  });

  it('"+" in --query is a plus, as the sandbox reads a query string, with a warning that says so and names %20', async () => {
    const r = await run(['--query', 'product_name=gold+bar&ts=1', '--private-key', PRIVATE, '--json']);
    expect(json(r).canonical).toBe('product_name=gold+bar&ts=1');
    expect(r.stderr).toContain('"+" is read as a literal plus, as the sandbox reads a query string');
    expect(r.stderr).toContain('%20');
  });

  it('a sign in the input is left out of the string and replaced in the request', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--param', 'sign=stale', '--private-key', PRIVATE, '--json']);
    const doc = json(r);
    expect(doc.signature).toBe(docVector.sign);
    expect(doc.excluded).toEqual(['sign']);
    expect(doc.canonical).toBe(JOINED);
    expect(doc.request.query.match(/sign=/g)).toHaveLength(1);
    expect(doc.request.query).not.toContain('stale');
    expect(doc.issues.map((i: { code: string }) => i.code)).toContain('params.sign-excluded');
  });

  it('JSON numbers are signed as JSON writes them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ ...docVector.params, amount: 1, original_amount: 1 }));
    expect(json(await run(['--params-file', join(dir, 'p.json'), '--private-key', PRIVATE, '--json'])).signature).toBe(docVector.sign);
  });
});

describe('tacpay sign --verify', () => {
  it('verifies with --public-key alone: no private key needed; exit 0', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--verify', docVector.sign, '--public-key', PUBLIC, '--json']);
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(doc.signature).toBeUndefined();
    expect(doc.verify).toMatchObject({ verified: true, signature: docVector.sign, repairs: [], publicKey: { kind: 'public', fingerprint: FINGERPRINT, source: '--public-key' } });
    expect(doc.request.query).toContain(`sign=${encodeURIComponent(docVector.sign)}`);
  });

  it('verifies with the private key\'s public half when no --public-key is given', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--private-key', PRIVATE, '--verify', docVector.sign]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verify +OK: the signature verifies/);
    expect(r.stdout).toContain('the public half of the private key');
  });

  it('a wrong signature: exit 1 and the mistake named (JSON)', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--verify', uriEncodedSign(), '--public-key', PUBLIC, '--json']);
    expect(r.code).toBe(1);
    const doc = json(r);
    expect(doc.verify.verified).toBe(false);
    expect(doc.verify.diagnosis.matched.id).toBe('values-uri-encoded');
    expect(doc.verify.diagnosis.matched.canonical).toContain('product_name=%E9%87%91%E5%85%83%E5%AE%9D');
    expect(doc.verify.diagnosis.matched.canonical.endsWith('user_id=rickenwang<offerKey: 32 chars>')).toBe(true);
    expect(doc.verify.diagnosis.tried.length).toBeGreaterThan(10);
    expect(doc.request).toBeUndefined();
  });

  it('a wrong signature: exit 1 and the mistake named (human), tried list with --verbose', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--verify', uriEncodedSign(), '--public-key', PUBLIC]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/verify +FAILED/);
    expect(r.stdout).toMatch(/cause +values percent-encoded with encodeURIComponent before joining \[values-uri-encoded\]/);
    expect(r.stdout).toMatch(/fix +join the raw values/);
    expect(r.stdout).not.toContain('sha1:');
    const verbose = await run(['--params-file', PARAMS_FILE, '--verify', uriEncodedSign(), '--public-key', PUBLIC, '--verbose']);
    expect(verbose.stdout).toContain('sha1: SHA1withRSA instead of SHA256withRSA');
  });

  it('a signature whose "+" became spaces is repaired, verifies, and the user is told', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--verify', docVector.sign.replaceAll('+', ' '), '--public-key', PUBLIC]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('not strict Base64; repaired (spaces turned back into "+"');
    expect(r.stdout).toContain('after repairs');
  });

  it('a signature that is not Base64 at all: exit 1, says why', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--verify', 'abc!def', '--public-key', PUBLIC, '--json']);
    expect(r.code).toBe(1);
    expect(json(r).verify).toMatchObject({ verified: false, signature: null, problems: [{ code: 'sign.not-base64' }] });
  });

  it('signing and verifying at once: signs, and checks the given signature', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--private-key', PRIVATE, '--verify', uriEncodedSign(), '--json']);
    expect(r.code).toBe(1);
    expect(json(r).signature).toBe(docVector.sign);
    expect(json(r).verify.diagnosis.matched.id).toBe('values-uri-encoded');
  });

  it('warns when --public-key does not belong to --private-key', async () => {
    const other = join(tempDir(), 'other.pub.pem');
    writeFileSync(other, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await run(['--params-file', PARAMS_FILE, '--private-key', PRIVATE, '--public-key', other, '--verify', docVector.sign]);
    expect(r.stderr).toContain('does not belong to the private key');
    expect(r.code).toBe(1);
  });
});

describe('tacpay sign: usage errors exit 2, bad input exits 1, never a stack', () => {
  it.each([
    ['no parameters at all', ['--private-key', PRIVATE], 'no parameters to sign'],
    ['only a sign parameter', ['--param', 'sign=x', '--private-key', PRIVATE], 'no parameters to sign'],
    ['neither a private key nor --verify', ['--param', 'a=1'], 'nothing to do'],
    ['--public-key without --verify', ['--param', 'a=1', '--public-key', PUBLIC], '--public-key checks a signature'],
    ['--verify without any key', ['--param', 'a=1', '--verify', docVector.sign], '--verify needs the signer'],
    ['--param without =', ['--param', 'amount', '--private-key', PRIVATE], '--param "amount" has no "="'],
    ['two inputs from stdin', ['--params-file', '-', '--private-key', '-'], 'only one input can come from stdin'],
  ])('%s', async (_name, args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('hint:');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('no offerKey anywhere: exit 2 naming TACPAY_OFFER_KEY', async () => {
    const r = await runCli(['sign', '--param', 'a=1', '--private-key', PRIVATE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no offerKey');
    expect(r.stderr).toContain('TACPAY_OFFER_KEY');
  });

  it('a usage error with --json is one JSON error document', async () => {
    const r = await run(['--param', 'a=1', '--json']);
    expect(r.code).toBe(2);
    expect(json(r)).toMatchObject({ error: { code: 'usage' } });
  });

  it.each([
    ['a params file that does not exist', ['--params-file', 'nope.json', '--private-key', PRIVATE], 'params file nope.json does not exist'],
    ['a params file that is not JSON', ['--params-file', PRIVATE, '--private-key', PRIVATE], 'not valid JSON'],
    ['a public key where the private key belongs', ['--params-file', PARAMS_FILE, '--private-key', PUBLIC], 'a public key (SPKI PEM public key) was given where a private key is needed'],
  ])('%s: exit 1', async (_name, args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('tacpay sign: secrets from config and env; command-line secrets warned about once', () => {
  const COMMAND_LINE = 'on the command line';

  it('secrets from TACPAY_OFFER_KEY and TACPAY_PRIVATE_KEY (inline): no warning', async () => {
    const r = await runCli(['sign', '--params-file', PARAMS_FILE, '--json'], { env: envWithKey({ TACPAY_PRIVATE_KEY: docVector.privateKey }), now: VECTOR_NOW });
    expect(json(r).signature).toBe(docVector.sign);
    expect(r.stderr).toBe('');
  });

  it('--offer-key on the command line: one warning naming TACPAY_OFFER_KEY; a key file path is no secret', async () => {
    const r = await runCli(['sign', '--params-file', PARAMS_FILE, '--offer-key', KEY, '--private-key', PRIVATE], { now: VECTOR_NOW });
    expect(r.stderr.split(COMMAND_LINE)).toHaveLength(2);
    expect(r.stderr).toContain('--offer-key puts a secret on the command line');
    expect(r.stderr).toContain('TACPAY_OFFER_KEY');
    expect(r.stderr).not.toContain('--private-key puts');
  });

  it('an inline --private-key is a command-line secret too', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--private-key', docVector.privateKey]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--private-key puts a secret on the command line');
    expect(r.stderr).toContain('TACPAY_PRIVATE_KEY');
  });

  it('offerKey and privateKey from tacpay.config.json (key path relative to the config file)', async () => {
    const dir = tempDir();
    copyFileSync(PRIVATE, join(dir, 'merchant.key'));
    writeFileSync(join(dir, 'tacpay.config.json'), JSON.stringify({ offerKey: KEY, privateKey: 'merchant.key' }), { mode: 0o600 });
    const r = await runCli(['sign', '--params-file', PARAMS_FILE, '--json', '--verbose'], { cwd: dir, now: VECTOR_NOW });
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(doc.signature).toBe(docVector.sign);
    expect(doc.offerKeyAppended.source).toBe(join(dir, 'tacpay.config.json'));
    expect(doc.key.source).toBe(join(dir, 'tacpay.config.json'));
    expect(r.stderr).toBe('');
  });
});

describe('tacpay sign: the offerKey and private key never appear in any output', () => {
  const PEM = readFileSync(join(FIXTURES, 'keys/doc-private.b64'), 'utf8');
  /** Overlapping 24-character windows of the private key: any leak of a piece of it is caught. */
  const keyPieces = Array.from({ length: Math.floor((docVector.privateKey.length - 24) / 12) }, (_, i) => docVector.privateKey.slice(i * 12, i * 12 + 24));

  function expectNoSecrets(r: RunResult): void {
    const all = r.stdout + r.stderr;
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(KEY.slice(0, 16));
    expect(all).not.toContain(KEY.slice(16));
    for (const piece of keyPieces) expect(all).not.toContain(piece);
  }

  const SIGN = ['--params-file', PARAMS_FILE, '--offer-key', KEY, '--private-key', PRIVATE];
  const INLINE = ['--params-file', PARAMS_FILE, '--offer-key', KEY, '--private-key', PEM.trim()];
  const VERIFY_BAD = ['--params-file', PARAMS_FILE, '--offer-key', KEY, '--public-key', PUBLIC];
  const modes: Array<[string, string[]]> = [
    ['human', []],
    ['--json', ['--json']],
    ['--verbose', ['--verbose']],
    ['--verbose --json', ['--verbose', '--json']],
  ];
  const scenarios: Array<[string, () => string[], number]> = [
    ['signing', () => SIGN, 0],
    ['signing with an inline key', () => INLINE, 0],
    ['verifying a good signature', () => [...SIGN, '--verify', docVector.sign], 0],
    ['verifying a wrong signature (diagnosis)', () => [...VERIFY_BAD, '--verify', uriEncodedSign()], 1],
    ['verifying a "&"-before-key signature (key shown in their string)', () => [...VERIFY_BAD, '--verify', ampSign()], 1],
    ['the offerKey also pasted into a parameter', () => [...SIGN, '--param', `note=${KEY}`], 0],
    ['error: the offerKey given as the private key (echoed as a file name)', () => ['--params-file', PARAMS_FILE, '--offer-key', KEY, '--private-key', KEY], 1],
    ['error: a truncated inline private key', () => ['--params-file', PARAMS_FILE, '--offer-key', KEY, '--private-key', docVector.privateKey.slice(0, 600)], 1],
    ['error: usage (no key, no --verify)', () => ['--params-file', PARAMS_FILE, '--offer-key', KEY], 2],
    ['error: the params file is the key', () => ['--params-file', PRIVATE, '--offer-key', KEY, '--private-key', PRIVATE], 1],
  ];

  function ampSign(): string {
    const key = createPrivateKey({ key: Buffer.from(docVector.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    return createSign('RSA-SHA256').update(`${JOINED}&${KEY}`).sign(key, 'base64');
  }

  for (const [scenario, args, code] of scenarios) {
    it.each(modes)(`${scenario}: %s`, async (_mode, flags) => {
      const r = await runCli(['sign', ...args(), ...flags], { now: VECTOR_NOW });
      expect(r.code).toBe(code);
      expectNoSecrets(r);
    });
  }

  it('in colour on a TTY too', async () => {
    const r = await runCli(['sign', ...SIGN, '--verbose', '--verify', uriEncodedSign()], { now: VECTOR_NOW, tty: { stdout: true, stderr: true } });
    expect(r.stdout).toContain('\x1b[');
    expectNoSecrets(r);
  });

  it('the diagnosis shows where the key went without the key', async () => {
    const r = await run([...VERIFY_BAD.filter((a) => a !== '--offer-key' && a !== KEY), '--verify', ampSign(), '--json']);
    expect(json(r).verify.diagnosis.matched.canonical).toBe(`${JOINED}&<offerKey: 32 chars>`);
  });

  it('the net replaces a pasted key in parameters', async () => {
    const r = await run(['--param', `note=${KEY}`, '--param', 'ts=1', '--private-key', PRIVATE, '--json']);
    expect(json(r).canonical).toBe('note=<offerKey: 32 chars>&ts=1');
  });
});

describe('tacpay sign: ts (spec §1.4.4)', () => {
  it('reports both readings; a ts made as epoch−28800 right now raises no warning', async () => {
    const doc = json(await run(['--params-file', PARAMS_FILE, '--private-key', PRIVATE, '--json']));
    expect(doc.ts).toEqual({ ts: Number(docVector.params.ts), epochOffset: -28800, beijingNaiveOffset: 0, closer: 'beijing-naive' });
    const human = await run(['--params-file', PARAMS_FILE, '--private-key', PRIVATE]);
    expect(human.stdout).toMatch(/ts +1519669241: 8 h ago as epoch, now as epoch−28800/);
  });

  it('an old ts is warned about, not refused', async () => {
    const r = await run(['--params-file', PARAMS_FILE, '--private-key', PRIVATE], { now: new Date('2026-01-01T00:00:00Z') });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: ts is .* years ago as epoch/);
  });

  it('a missing ts is warned about', async () => {
    const r = await run(['--param', 'amount=1', '--private-key', PRIVATE]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no ts parameter');
  });
});

describe('tacpay sign --help', () => {
  it('explains precedence, "+" in queries, secrets, and gives examples', async () => {
    const r = await runCli(['sign', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the one later on the command line wins');
    expect(r.stdout).toContain('keeps "+" as a plus');
    expect(r.stdout).toContain('TACPAY_OFFER_KEY');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--verify');
  });
});
