/**
 * `tacpay keys` as a user runs it: the built bin in a child process (build first: node scripts/build.mjs).
 * generate → inspect → match round trip, file modes, refusal to overwrite, and no private key
 * material in any output.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { json, ROOT, spawnCli, tempDir, type RunResult } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { secretRuns } from '../helpers/secrets.js';

const mode = (p: string): number => statSync(p).mode & 0o777;


describe('tacpay keys (built CLI)', () => {
  beforeAll(() => {
    const built = ['dist/main.cjs', 'dist/main.js'].some((f) => existsSync(join(ROOT, f)));
    expect(built, 'build first: node scripts/build.mjs').toBe(true);
  });

  it('generate → inspect → match round trip; modes; refusal to overwrite; no private key printed', async () => {
    const cwd = tempDir();
    const outputs: RunResult[] = [];
    const run = async (args: string[], opts: { stdin?: string | Buffer } = {}): Promise<RunResult> => {
      const r = await spawnCli(args, { cwd, ...opts });
      outputs.push(r);
      return r;
    };

    const gen = await run(['keys', 'generate', '--json']);
    expect(gen.code).toBe(0);
    const made = json(gen);
    expect(made.bits).toBe(2048);
    const pem = join(cwd, 'tacpay-merchant.key.pem');
    const b64 = join(cwd, 'tacpay-merchant.key.b64');
    const pub = join(cwd, 'tacpay-merchant.pub.pem');
    expect(readdirSync(cwd).sort()).toEqual(['tacpay-merchant.key.b64', 'tacpay-merchant.key.pem', 'tacpay-merchant.pub.pem']);
    expect(mode(pem)).toBe(0o600);
    expect(mode(b64)).toBe(0o600);
    expect(mode(pub)).toBe(0o644 & ~process.umask());

    for (const file of [pem, b64, pub]) {
      const r = await run(['keys', 'inspect', file, '--json']);
      expect(r.code).toBe(0);
      expect(json(r)).toMatchObject({ bits: 2048, fingerprint: made.fingerprint });
    }
    const human = await run(['keys', 'inspect', b64]);
    expect(human.stdout).toContain(made.fingerprint);
    expect(human.stdout).toMatch(/-----BEGIN PUBLIC KEY-----/);

    for (const priv of [pem, b64]) {
      const m = await run(['keys', 'match', priv, pub, '--json']);
      expect(m.code).toBe(0);
      expect(json(m)).toMatchObject({ match: true, signatureCheck: 'verified' });
    }
    const viaStdin = await run(['keys', 'match', '-', 'tacpay-merchant.pub.pem'], { stdin: readFileSync(b64) });
    expect(viaStdin.code).toBe(0);
    expect(viaStdin.stdout).toMatch(/match: the two files are a key pair/);

    // Against another pair: exit 1, both fingerprints named.
    const other = await run(['keys', 'match', pem, join(FIXTURES, 'keys/test-rsa2048.pub.pem')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(made.fingerprint);
    expect(other.stderr).toContain('SHA256:IJ4EYV3MoISU4fx3jvFbAK5UZ3w6bmIDmT4OLr7ceh0');

    // A second generate refuses and leaves the pair as it was.
    const before = [pem, b64, pub].map((p) => readFileSync(p, 'utf8'));
    const again = await run(['keys', 'generate']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*already exist; nothing was written\nhint: pass --force/);
    expect([pem, b64, pub].map((p) => readFileSync(p, 'utf8'))).toEqual(before);
    expect(readdirSync(cwd)).toHaveLength(3);

    // No command printed the private part of the key, in any encoding a key file holds.
    const all = outputs.map((r) => r.stdout + r.stderr).join('').replace(/\s/g, '');
    const runs = secretRuns(pem);
    expect(runs.length).toBeGreaterThan(50);
    for (const s of runs) expect(all.includes(s), `private key material printed: ${s}`).toBe(false);
    expect(all).not.toMatch(/BEGIN[A-Z]*PRIVATEKEY/);
  });

  it('--force replaces the pair; the private files stay 0600', async () => {
    const cwd = tempDir();
    const first = json(await spawnCli(['keys', 'generate', '--bits', '512', '--out', 'shop', '--json'], { cwd }));
    const r = await spawnCli(['keys', 'generate', '--bits', '512', '--out', 'shop', '--force', '--json'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: 512-bit RSA is weak/);
    const second = json(r);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(mode(join(cwd, 'shop.key.pem'))).toBe(0o600);
    expect(mode(join(cwd, 'shop.key.b64'))).toBe(0o600);
    const m = await spawnCli(['keys', 'match', 'shop.key.b64', 'shop.pub.pem', '--json'], { cwd });
    expect(json(m)).toMatchObject({ match: true, private: { fingerprint: second.fingerprint } });
  });

  it('bad input: one-line error and hint, exit 1, no stack; usage errors exit 2', async () => {
    const cwd = tempDir();
    const missing = await spawnCli(['keys', 'inspect', 'nope.pem'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: key file nope.pem does not exist\nhint: check the path (relative paths start from the current directory)\n');
    const dir = await spawnCli(['keys', 'inspect', '.'], { cwd });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/^error: key file \. is a directory, not a file\nhint: .+\n$/);
    const empty = await spawnCli(['keys', 'inspect', '-', '--json'], { cwd, stdin: '' });
    expect(empty.code).toBe(1);
    expect(json(empty).error).toMatchObject({ code: 'key.empty', message: 'key from stdin: the key is empty' });
    const bits = await spawnCli(['keys', 'generate', '--bits', '1000'], { cwd });
    expect(bits.code).toBe(2);
    expect(bits.stderr).toMatch(/^error: --bits must be one of/);
    expect((await spawnCli(['keys', 'match', 'a.pem'], { cwd })).code).toBe(2);
    for (const r of [missing, dir, empty, bits]) expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
