/**
 * The CLI's contract on the paths that used to break it: "not found" is exit 1, --json holds on help,
 * version, typos and Ctrl-C, --verbose shows the request without the offerKey, retries say why in
 * words, NO_COLOR beats FORCE_COLOR, an unwritable HOME ends in one line, and the sandbox can be
 * asked whether it runs, stopped and reset from another shell.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, json, runCli, spawnCli, tempDir } from '../helpers/cli.js';

const OFFER_KEY = 'Kq7vR2mX9pL4sT8wZ1nB6cD3fG5hJ0aE';

/** Every line of stdout belongs to one JSON document. */
function oneJson(stdout: string): any {
  const doc = JSON.parse(stdout);
  expect(stdout.trimEnd().endsWith('}')).toBe(true);
  return doc;
}

describe('exit codes', () => {
  it('an order the sandbox does not have is "not found", exit 1, not a usage error', async () => {
    const dir = tempDir('tacpay-contract-');
    const human = await runCli(['order', 'query', '--out-trade-no', 'nope', '--sandbox-dir', dir]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^error: order nope not found in the sandbox \(merchant TC\d+, data .+\)$/m);
    expect(human.stderr).not.toMatch(/--user-id/);
    const machine = await runCli(['--json', 'refund', 'query', '--refund-id', 'r-404', '--sandbox-dir', dir]);
    expect(machine.code).toBe(1);
    expect(json(machine).error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/^refund r-404 not found/) });
  });

  it('a sandbox merchant that is not there is "not found" too, exit 1', async () => {
    const r = await runCli(['--json', 'order', 'create', '--offer-id', 'TC999999', '--sandbox-dir', tempDir('tacpay-contract-')]);
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/has no merchant TC999999$/) });
  });

  it('production still needs --user-id: that is a usage error, exit 2', async () => {
    const keyFile = join(tempDir(), 'k.pem');
    writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const r = await runCli(['order', 'query', '--out-trade-no', 'o1', '--base-url', 'http://127.0.0.1:1', '--offer-id', 'TC100008', '--private-key', keyFile], { env: cleanEnv({ TACPAY_OFFER_KEY: OFFER_KEY }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing --user-id/m);
  });
});

describe('--json on every path', () => {
  it('help of the root, of a group given no subcommand, and of a leaf is one JSON document', async () => {
    for (const argv of [['--json'], ['order', '--json'], ['sandbox', '--json'], ['order', 'query', '--help', '--json'], ['--json', 'help', 'decode']]) {
      const r = await spawnCli(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      const doc = oneJson(r.stdout).help;
      expect(doc.command).toMatch(/^tacpay/);
      expect(Array.isArray(doc.options)).toBe(true);
      expect(r.stderr).toBe('');
    }
    const group = oneJson((await spawnCli(['sandbox', '--json'])).stdout).help;
    expect(group.commands.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['start', 'status', 'stop', 'reset']));
  });

  it('--version --json is a document with the version', async () => {
    const r = await spawnCli(['--version', '--json']);
    expect(r.code).toBe(0);
    expect(oneJson(r.stdout)).toMatchObject({ name: 'tacpay', version: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version });
  });

  it('a typo is a one-line message with the suggestion in the hint', async () => {
    const r = await runCli(['ordr', '--json']);
    expect(r.code).toBe(2);
    const { error } = json(r);
    expect(error.message).toBe("unknown command 'ordr'");
    expect(error.hint).toMatch(/^did you mean order\?/);
    for (const v of Object.values(error)) expect(String(v)).not.toContain('\n');
  });

  it('Ctrl-C during a network wait prints one JSON document and exits 130', async () => {
    let arrived = (): void => {};
    const hang = createServer(() => arrived()); // never answers
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as AddressInfo).port;
    const keyFile = join(tempDir(), 'k.pem');
    writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    try {
      for (const mode of ['json', 'human'] as const) {
        const requested = new Promise<void>((r) => (arrived = r));
        const child = spawn(process.execPath, [BIN, ...(mode === 'json' ? ['--json'] : []), 'order', 'query', '--out-trade-no', 'o1', '--user-id', 'u12345', '--base-url', `http://127.0.0.1:${port}`, '--offer-id', 'TC100008', '--private-key', keyFile], {
          env: { ...cleanEnv({ TACPAY_OFFER_KEY: OFFER_KEY }), NO_COLOR: '1' } as NodeJS.ProcessEnv,
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        await requested;
        child.kill('SIGINT');
        const code = await new Promise<number | null>((r) => child.on('close', r));
        expect(code, err).toBe(130);
        if (mode === 'json') expect(oneJson(out)).toEqual({ error: { code: 'cancelled', message: 'cancelled (SIGINT)' } });
        else expect(err).toMatch(/^error: cancelled \(SIGINT\)$/m);
      }
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });
});

describe('order calls: --verbose, retries in words', () => {
  let slow: Server;
  let port: number;
  let keyFile: string;
  beforeAll(async () => {
    slow = createServer(() => {}); // never answers: every attempt times out
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    port = (slow.address() as AddressInfo).port;
    keyFile = join(tempDir(), 'k.pem');
    writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });
  afterAll(() => {
    slow.closeAllConnections();
    slow.close();
  });

  it('--verbose shows the request, the string-to-sign without the offerKey, the answer and its time', async () => {
    const dir = tempDir('tacpay-contract-');
    const keys = json(await runCli(['--json', 'sandbox', 'keys', '--sandbox-dir', dir]));
    const r = await runCli(['order', 'create', '--verbose', '--sandbox-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^> POST http:\/\/127\.0\.0\.1:\d+\/v1\/r\/TC\d+\/unified_order\?.*&sign=/m);
    expect(r.stderr).toMatch(/^> string-to-sign amount=1&.*&user_id=tacpayuser1<offerKey>$/m);
    expect(r.stderr).toMatch(/^< HTTP 200 in \d+ ms/m);
    expect(r.stderr).toMatch(/^< \{"ret":0,/m);
    const offerKey: string = keys.merchant?.offerKey ?? keys.offerKey;
    expect(offerKey.length).toBeGreaterThan(15);
    expect(r.stdout + r.stderr).not.toContain(offerKey.slice(0, 16));
  });

  it('a retry says why in words, not a bare code', async () => {
    const r = await runCli(['order', 'query', '--out-trade-no', 'o1', '--user-id', 'u12345', '--base-url', `http://127.0.0.1:${port}`, '--offer-id', 'TC100008', '--private-key', keyFile, '--timeout', '300', '--retries', '1'], { env: cleanEnv({ TACPAY_OFFER_KEY: OFFER_KEY }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^query_order: attempt 1 failed: no answer within 300 ms; retrying in 200 ms$/m);
    expect(r.stderr).toMatch(/^error: http:\/\/127\.0\.0\.1:\d+ did not answer in time after 2 attempts$/m);
  });
});

describe('environment', () => {
  it('NO_COLOR beats FORCE_COLOR in a real run', async () => {
    const r = await spawnCli(['order', 'query', '--out-trade-no', 'nope', '--sandbox-dir', tempDir()], { env: cleanEnv({ NO_COLOR: '1', FORCE_COLOR: '3' }) });
    expect(r.stderr).toMatch(/^error: /m);
    expect(r.stderr).not.toMatch(/\x1b\[/);
    const forced = await spawnCli(['order', 'query', '--out-trade-no', 'nope', '--sandbox-dir', tempDir()], { env: cleanEnv({ FORCE_COLOR: '1' }) });
    // spawnCli sets NO_COLOR=1 unless env overrides it: an empty NO_COLOR is "not set" (no-color.org).
    const forcedEmpty = await spawnCli(['order', 'query', '--out-trade-no', 'nope', '--sandbox-dir', tempDir()], { env: cleanEnv({ FORCE_COLOR: '1', NO_COLOR: '' }) });
    expect(forced.stderr).not.toMatch(/\x1b\[/);
    expect(forcedEmpty.stderr).toMatch(/\x1b\[/);
  });

  it('a HOME where nothing can be created ends in one line, exit 1, without hanging', async () => {
    const r = await spawnCli(['order', 'create'], { env: { PATH: process.env.PATH, HOME: '/proc/nonexistent' }, timeoutMs: 15000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: the sandbox data dir \/proc\/nonexistent\/\.local\/share\/tacpay\/sandbox cannot be created: cannot create \/proc\/nonexistent: \/proc does not accept new directories$/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('a JUnit report under a directory that refuses children is a one-line error, not a hang', async () => {
    const r = await spawnCli(['simulate', 'scenario', 'happy-path', '--junit', '/proc/nonexistent/reports/r.xml'], { timeoutMs: 30000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write the JUnit report \/proc\/nonexistent\/reports\/r\.xml: ENOENT$/m);
  });

  it('config list shows an inline key as its fingerprint, not a 450-character line', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const r = await runCli(['config', 'list'], { env: cleanEnv({ TACPAY_PLATFORM_PUBLIC_KEY: pem }) });
    const line = r.stdout.split('\n').find((l) => l.includes('platformPublicKey'))!;
    expect(line).toMatch(/inline public key, RSA-2048, SHA256:[A-Za-z0-9+/]{43} \(\d+ characters; --json shows it whole\)/);
    expect(line.length).toBeLessThan(200);
    const full = json(await runCli(['--json', 'config', 'list'], { env: cleanEnv({ TACPAY_PLATFORM_PUBLIC_KEY: pem }) }));
    expect(full.options.find((o: { key: string }) => o.key === 'platformPublicKey').value).toBe(pem);
  });
});

describe('sandbox status | stop | reset', () => {
  it('a running sandbox is found, reported, refuses a reset, stops on request; reset keeps merchants', async () => {
    const dir = tempDir('tacpay-life-');
    const none = await spawnCli(['--json', 'sandbox', 'status', '--sandbox-dir', dir]);
    expect(none.code).toBe(1);
    expect(json(none)).toMatchObject({ running: false, store: { exists: false } });

    const child = spawn(process.execPath, [BIN, 'sandbox', 'start', '--port', '0', '--json', '--sandbox-dir', dir], { env: { ...cleanEnv(), NO_COLOR: '1' } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve();
      });
      child.on('close', () => reject(new Error('sandbox exited before ready')));
    });
    await spawnCli(['order', 'create', '--sandbox-dir', dir]);
    await spawnCli(['order', 'create', '--sandbox-dir', dir]);

    const status = await spawnCli(['--json', 'sandbox', 'status', '--sandbox-dir', dir]);
    expect(status.code).toBe(0);
    expect(json(status)).toMatchObject({ running: true, pid: child.pid, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), store: { exists: true, merchants: 1, orders: 2 } });

    const refused = await spawnCli(['sandbox', 'reset', '--yes', '--sandbox-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^hint: stop it first: tacpay sandbox stop/m);

    // The CLI's own health probes (status, order create) are not in the log; the orders are.
    const log = json(await spawnCli(['--json', 'sandbox', 'log', '--sandbox-dir', dir]));
    const paths = (log.requests ?? log).map((x: { path: string }) => x.path);
    expect(paths.length).toBeGreaterThanOrEqual(2);
    expect(paths).not.toContain('/_sandbox/health');

    const stop = await spawnCli(['--json', 'sandbox', 'stop', '--sandbox-dir', dir]);
    expect(stop.code).toBe(0);
    expect(json(stop)).toMatchObject({ stopped: true, pid: child.pid });
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, 'sandbox.ready.json'))).toBe(false);
    expect(json(await spawnCli(['--json', 'sandbox', 'stop', '--sandbox-dir', dir]))).toMatchObject({ stopped: false, running: false });

    const noTty = await spawnCli(['sandbox', 'reset', '--sandbox-dir', dir]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/^hint: add --yes/m);
    const keysBefore = json(await spawnCli(['--json', 'sandbox', 'keys', '--sandbox-dir', dir]));
    const reset = await spawnCli(['--json', 'sandbox', 'reset', '--yes', '--sandbox-dir', dir]);
    expect(json(reset)).toMatchObject({ reset: true, all: false, removed: { orders: 2 } });
    const after = json(await spawnCli(['--json', 'sandbox', 'status', '--sandbox-dir', dir]));
    expect(after.store).toEqual({ exists: true, merchants: 1, orders: 0 });
    expect(json(await spawnCli(['--json', 'sandbox', 'keys', '--sandbox-dir', dir]))).toEqual(keysBefore);

    const all = await spawnCli(['--json', 'sandbox', 'reset', '--all', '--yes', '--sandbox-dir', dir]);
    expect(json(all)).toMatchObject({ reset: true, all: true });
    expect(existsSync(join(dir, 'sandbox.db'))).toBe(false);
  }, 60000);

  it('--data still works as the old name of --sandbox-dir, hidden from help', async () => {
    const dir = tempDir('tacpay-life-');
    const r = await spawnCli(['--json', 'sandbox', 'status', '--data', dir]);
    expect(json(r).dir).toBe(dir);
    const help = await spawnCli(['sandbox', 'status', '--help']);
    expect(help.stdout).toContain('--sandbox-dir <dir>');
    expect(help.stdout).not.toContain('--data');
  });
});
