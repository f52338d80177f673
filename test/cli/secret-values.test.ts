/**
 * Secret values that are not (quite) keys: what tacpay says about them, and that it never quotes
 * them. The describing function (core/secret-shape.ts), the key loader that decides "path or key
 * text?" (cli/key-input.ts), the parser's own errors (core/keys.ts) and config-file JSON errors.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig, ConfigFileError, type ConfigValue } from '../../src/config/resolve.js';
import { parseKey } from '../../src/core/keys.js';
import { describeSecret } from '../../src/core/secret-shape.js';
import type { Ctx } from '../../src/cli/context.js';
import { TacpayError } from '../../src/errors.js';
import { classifyKeyValue, loadKeyWithNotes, mayName } from '../../src/cli/key-input.js';
import { json, runCli, tempDir } from '../helpers/cli.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PEM1 = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const B64 = pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const URL_SAFE = B64.replace(/\+/g, '-').replace(/\//g, '_');
const OFFER_KEY = 'Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz9Xc';
const NOT_A_KEY = 'zz_Secret-Value_9f8e7d6c5b4a3210yxwvuts';

/** Fails if any 8-character run of `secret` is in `text`. Shorter than the leak test's 16, on purpose. */
function expectNoFragment(text: string, secret: string): void {
  const flat = text.replace(/\s+/g, '');
  const body = secret.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  for (let i = 0; i + 8 <= body.length; i++) expect(flat.includes(body.slice(i, i + 8)), `fragment ${body.slice(i, i + 8)} printed in: ${text}`).toBe(false);
}

function fakeCtx(cwd: string): { ctx: Ctx; warnings: string[] } {
  const warnings: string[] = [];
  const ctx = { cwd, env: {}, verbose: false, tty: { stdin: false, stdout: false, stderr: false }, warn: (m: string) => warnings.push(m), note: () => {} } as unknown as Ctx;
  return { ctx, warnings };
}

function envValue(value: string, cwd: string): ConfigValue {
  return { value, source: 'env', origin: 'TACPAY_PRIVATE_KEY', baseDir: cwd };
}

describe('describeSecret: the shape of a value in words that hold none of it', () => {
  it.each([
    ['URL-safe Base64', URL_SAFE, 'url-safe-base64', /URL-safe Base64 alphabet/, /convert - to \+ and _ to \//],
    ['a prefixed paste', `privateKey=${B64}`, 'prefixed', /has letters and digits/, /remove the leading name=/],
    ['an offerKey', OFFER_KEY, 'offer-key', /32-character value, one line, letters and digits only/, /looks like an offerKey/],
    ['Base64 with spaces', B64.slice(0, 200).replace(/(.{50})/g, '$1 '), 'base64-with-spaces', /spaces/, /remove the spaces/],
    ['a PEM', PEM1, 'pem', /first line starts -----BEGIN RSA PRIVATE KEY-----/, /copy the whole PEM again/],
    ['no key at all', NOT_A_KEY, 'other', /the URL-safe Base64 alphabet/, /PEM key .* bare Base64 .* path of a key file/],
    ['a path', 'keys/merchant.key.pem', 'path-like', /has letters and digits, "\+" or "\/", "\."/, /check the path/],
  ])('%s', (_name, value, kind, shape, hint) => {
    const d = describeSecret(value, { file: 'missing' });
    expect(d.kind).toBe(kind);
    expect(d.shape).toMatch(shape);
    expect(d.shape).toContain(`a ${value.length}-character value`);
    expect(d.shape).toMatch(/; no file by that name$/);
    expect(d.hint).toMatch(hint);
    expectNoFragment(d.shape + d.hint, value);
  });

  it('names a PEM label only when it is one, never the rest of the first line', () => {
    expect(describeSecret('-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhk').shape).toContain('first line starts -----BEGIN PRIVATE KEY-----');
    expect(describeSecret('-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhk').shape).not.toContain('MIIE');
    expect(describeSecret('-----BEGIN SECRET s3cr3tv4lue-----').shape).not.toMatch(/first line|s3cr3t/);
  });

  it('says what a file by that name is', () => {
    expect(describeSecret('k', { file: 'directory' }).shape).toMatch(/a directory by that name exists/);
    expect(describeSecret('k').shape).not.toMatch(/file/);
  });
});

describe('the key parser: errors give position and kind, never bytes', () => {
  it('a character outside Base64: its position and kind; punctuation no key holds is named, letters never', () => {
    const r = parseKey(`${B64.slice(0, 40)}é${B64.slice(40, 80)}`, 'private');
    const err = r.issues.find((i) => i.severity === 'error')!;
    expect(err.code).toBe('key.not-base64');
    expect(err.message).toMatch(/a non-ASCII character at character 41 of 81/);
    expectNoFragment(err.message + (err.hint ?? ''), B64.slice(0, 80));
    expect(parseKey(`${B64.slice(0, 40)}.${B64.slice(40, 80)}`, 'private').issues.find((i) => i.severity === 'error')!.message).toMatch(/"\." at character 41/);
  });

  it('a leading name= is removed without naming it', () => {
    const r = parseKey(`merchantSecretName=${B64}`, 'private');
    expect(r.value).toBeDefined();
    const note = r.issues.find((i) => i.code === 'key.label-removed')!;
    expect(note.message).not.toContain('merchantSecretName');
  });

  it('a PEM flattened onto one line is read, with a warning; literal \\n escapes (the dotenv form) with an info note', () => {
    const flat = parseKey(PEM.replace(/\n/g, ' '), 'private');
    expect(flat.value).toBeDefined();
    expect(flat.issues).toContainEqual(expect.objectContaining({ code: 'key.pem-flattened', severity: 'warning' }));
    const escaped = parseKey(PEM.replace(/\n/g, '\\n'), 'private');
    expect(escaped.value).toBeDefined();
    expect(escaped.issues).toContainEqual(expect.objectContaining({ code: 'key.escaped-newlines', severity: 'info' }));
    // JSON inside JSON doubles the backslash; still unambiguous.
    expect(parseKey(PEM.replace(/\n/g, '\\\\n'), 'private').value).toBeDefined();
    // A PEM with its line breaks is neither.
    expect(parseKey(PEM, 'private').issues.map((i) => i.code)).toEqual([]);
  });
});

describe('loading a key value: path or key text, decided without echoing', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'merchant.key.pem'), PEM, { mode: 0o600 });

  it('classifies: stdin, key text, an existing file, a directory, nothing by that name', async () => {
    expect(await classifyKeyValue('-', dir)).toEqual({ form: 'stdin' });
    expect(await classifyKeyValue(PEM, dir)).toEqual({ form: 'text' });
    expect(await classifyKeyValue('keys/merchant.key.pem', dir)).toMatchObject({ form: 'file' });
    expect(await classifyKeyValue('keys', dir)).toMatchObject({ form: 'not-file', file: 'directory' });
    expect(await classifyKeyValue(URL_SAFE, dir)).toMatchObject({ form: 'not-file', file: 'missing' });
  });

  it('names a missing value as a file only when it cannot be a secret', () => {
    expect(mayName('nope.pem', 'any')).toBe(true);
    expect(mayName('keys/merchant-2026.key.pem', 'any')).toBe(true);
    expect(mayName('nope.pem', 'private')).toBe(false);
    expect(mayName(OFFER_KEY, 'any')).toBe(false);
    expect(mayName(NOT_A_KEY, 'any')).toBe(false);
    expect(mayName(`${B64.slice(0, 60)}.pem`, 'any')).toBe(false);
  });

  it.each([
    ['URL-safe Base64', URL_SAFE, /URL-safe Base64/],
    ['a prefixed paste', `TACPAY_PRIVATE_KEY=${B64}`, undefined],
    ['a flattened PEM', PEM.replace(/\n/g, ' '), /on one line/],
  ])('accepts %s from TACPAY_PRIVATE_KEY, warning where one is due', async (_name, value, warning) => {
    const { ctx, warnings } = fakeCtx(dir);
    const loaded = await loadKeyWithNotes(ctx, envValue(value, dir), 'private', 'private key');
    expect(loaded.key.kind).toBe('private');
    expect(loaded.source).toBe('inline key');
    if (warning) expect(warnings.join('\n')).toMatch(warning);
    else expect(warnings).toEqual([]);
    expectNoFragment(warnings.join('\n'), value);
  });

  it.each([
    ['an offerKey', OFFER_KEY, /32-character value, one line, letters and digits only; no file by that name/, /offerKey/],
    ['no key at all', NOT_A_KEY, /the URL-safe Base64 alphabet \(A-Z a-z 0-9 - _\); no file by that name/, /PEM key/],
    ['a short truncated key', B64.slice(0, 70), /70-character value, one line, (the standard Base64 alphabet \(A-Z a-z 0-9 \+ \/\)|letters and digits only); no file by that name; read as key text: the Base64 key is truncated: it holds 52 of the \d+ bytes it declares; expected/, /does not decode to an RSA key/],
    ['a missing key file', 'keys/other.key.pem', /; no file by that name; expected a PEM key/, /check the path/],
  ])('refuses %s with a description, never the value', async (_name, value, message, hint) => {
    const { ctx } = fakeCtx(dir);
    const err = await loadKeyWithNotes(ctx, envValue(value, dir), 'private', 'private key').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TacpayError);
    const e = err as TacpayError;
    expect(e.message).toMatch(/^private key \(from TACPAY_PRIVATE_KEY\) is neither a readable key nor an existing file: /);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
    expect(e.message).not.toContain('\n');
    expectNoFragment(e.message + e.hint, value);
  });

  it('long key text is parsed as a key at once: its error is the parser\'s, which holds no bytes', async () => {
    const { ctx } = fakeCtx(dir);
    const err = (await loadKeyWithNotes(ctx, envValue(B64.slice(0, 700), dir), 'private', 'private key').catch((e: unknown) => e)) as TacpayError;
    expect(err.message).toMatch(/^inline private key: the Base64 key is truncated: it holds \d+ of the \d+ bytes it declares$/);
    expectNoFragment(err.message + err.hint, B64.slice(0, 700));
  });

  it('a file by that name that is a directory: named, it is a path', async () => {
    const { ctx } = fakeCtx(dir);
    await expect(loadKeyWithNotes(ctx, envValue('keys', dir), 'private', 'private key')).rejects.toThrow(/private key file keys is a directory, not a file/);
  });
});

describe('tacpay keys inspect with values that are not keys', () => {
  it('a URL-safe key is read, with a warning; --json stays one document', async () => {
    const r = await runCli(['keys', 'inspect', URL_SAFE, '--json']);
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ source: 'inline key', kind: 'private' });
    expect(r.stderr).toMatch(/URL-safe Base64/);
    // From the private exponent on: the public modulus before it is printed, legitimately, as the public key.
    expectNoFragment(r.stdout + r.stderr, B64.slice(420));
  });

  it.each([['human', []], ['json', ['--json']]])('no key and no file (%s): exit 1, one error line and a hint, the value never', async (_mode, flags) => {
    const r = await runCli(['keys', 'inspect', NOT_A_KEY, ...flags]);
    expect(r.code).toBe(1);
    const text = r.stdout + r.stderr;
    expect(text).toMatch(/neither a readable key nor an existing file: a 39-character value/);
    expect(text).toMatch(/hint/);
    expect(text).not.toMatch(/\n\s+at /);
    expectNoFragment(text, NOT_A_KEY);
    if (flags.length) expect(json(r).error.code).toBe('key.unusable-value');
    else expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it('a missing file with a file name keeps its plain message', async () => {
    const r = await runCli(['keys', 'inspect', 'nope.pem']);
    expect(r.stderr).toBe('error: key file nope.pem does not exist\nhint: check the path (relative paths start from the current directory)\n');
  });
});

describe('config files: a JSON error gives the line and the kind, not the bytes', () => {
  it('a syntax error next to an offerKey', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tacpay.config.json'), `{\n  "offerId": "TC100008",\n  "offerKey": "${OFFER_KEY}" x\n}\n`, { mode: 0o600 });
    let err: unknown;
    try {
      resolveConfig({ flags: {}, env: {}, cwd: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigFileError);
    expect((err as Error).message).toMatch(/is not valid JSON \(line 3\)/);
    expectNoFragment((err as Error).message + (err as ConfigFileError).hint, OFFER_KEY);
  });
});
