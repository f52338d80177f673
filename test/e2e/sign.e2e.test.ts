// Runs the built CLI (node bin/tacpay.js) as a user would: `npm test` builds first; when running this
// file alone, run `node scripts/build.mjs` before.
import { createPrivateKey, createSign } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, json, spawnCli } from '../helpers/cli.js';
import { docVector, FIXTURES } from '../helpers/fixtures.js';

const KEY = docVector.offerKey;
const PARAMS_FILE = join(FIXTURES, 'sign/vector-params.json');
const PRIVATE = join(FIXTURES, 'keys/doc-private.b64');
const PUBLIC = join(FIXTURES, 'keys/doc-public.pem');

describe('tacpay sign (built CLI)', () => {
  it('reproduces the documented sign and prints no secret', async () => {
    const r = await spawnCli(['sign', '--params-file', PARAMS_FILE, '--offer-key', KEY, '--private-key', PRIVATE, '--json']);
    expect(r.code).toBe(0);
    const doc = json(r);
    expect(doc.signature).toBe(docVector.sign);
    expect(doc.canonical + KEY).toBe(docVector.original);
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stdout + r.stderr).not.toContain(docVector.privateKey.slice(100, 140));
    expect(r.stderr).toContain('--offer-key puts a secret on the command line');
  });

  it('a wrong signature exits 1 with the mistake named, secrets from the environment', async () => {
    const key = createPrivateKey({ key: Buffer.from(docVector.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    const wrong = createSign('RSA-SHA1').update(docVector.original).sign(key, 'base64');
    const r = await spawnCli(['sign', '--params-file', PARAMS_FILE, '--verify', wrong, '--public-key', PUBLIC], { env: cleanEnv({ TACPAY_OFFER_KEY: KEY }) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cause +SHA1withRSA instead of SHA256withRSA \[sha1\]/);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(r.stderr).not.toContain('on the command line');
  });

  it('a usage error exits 2 with one JSON error document under --json', async () => {
    const r = await spawnCli(['sign', '--param', 'amount=1', '--json'], { env: cleanEnv({ TACPAY_OFFER_KEY: KEY }) });
    expect(r.code).toBe(2);
    expect(json(r).error.code).toBe('usage');
  });
});
