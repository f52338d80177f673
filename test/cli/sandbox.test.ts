/**
 * `tacpay sandbox merchant|keys|log|pay` in-process (runCli) against real stores in temp dirs. The
 * secrets a store holds must appear only where asked for: `sandbox keys`. `sandbox start` runs as a
 * child process in test/e2e (it waits for signals).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/core/keys.js';
import { RET } from '../../src/core/ret-codes.js';
import { signText, verifyBytes } from '../../src/core/signature.js';
import { writeReady } from '../../src/sandbox/runtime.js';
import { openStore, type MerchantRow } from '../../src/sandbox/store.js';
import { json, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { orderParams, startHarness, type Harness } from '../sandbox/harness.js';

const mode = (p: string): number => statSync(p).mode & 0o777;

/** Every merchant row of the store at `dir`, secrets included (read straight from SQLite). */
function storedMerchants(dir: string): MerchantRow[] {
  const store = openStore(dir, { readonly: true });
  try {
    return store.merchants();
  } finally {
    store.close();
  }
}

/** Fails if any offerKey or any line of a private key's Base64 body appears in the output. */
function expectNoSecrets(r: RunResult, merchants: readonly MerchantRow[]): void {
  const text = r.stdout + r.stderr;
  for (const m of merchants) {
    expect(text).not.toContain(m.offer_key);
    const body = m.private_key_pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of body) expect(text).not.toContain(line);
  }
}

/** A store with its default merchant, made the way a user would: `sandbox keys`. */
async function newSandbox(): Promise<string> {
  const dir = join(tempDir('tacpay-sbx-'), 'data');
  const r = await runCli(['sandbox', 'keys', '--json', '--data', dir]);
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

async function harness(dir: string): Promise<Harness> {
  const h = await startHarness(dir);
  harnesses.push(h);
  return h;
}

describe('sandbox merchant', () => {
  it('add, list and set-notify; list never shows an offerKey or a private key', async () => {
    const dir = join(tempDir('tacpay-sbx-'), 'data');
    const add = await runCli(['--json', 'sandbox', 'merchant', 'add', '--offer-id', 'TC100008', '--notify-url', 'http://127.0.0.1:3000/notify', '--data', dir]);
    expect(add.code, add.stderr).toBe(0);
    const added = json(add);
    expect(added.merchant).toEqual({
      offerId: 'TC100008',
      default: false,
      notifyUrl: 'http://127.0.0.1:3000/notify',
      fingerprint: expect.stringMatching(/^SHA256:[A-Za-z0-9+/]{43}$/),
      created: expect.any(String),
      privateKeyStored: true,
    });

    // The first add on a fresh store also made the default merchant, so "default" stays the first-start one.
    const stored = storedMerchants(dir);
    expect(stored).toHaveLength(2);
    const mine = stored.find((m) => m.offer_id === 'TC100008')!;
    expect(mine.offer_key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(fingerprintOf(createPublicKey(mine.public_key_pem))).toBe(added.merchant.fingerprint);
    expect(stored.filter((m) => m.is_default === 1)).toHaveLength(1);
    expectNoSecrets(add, stored);

    const list = await runCli(['--json', 'sandbox', 'merchant', 'list', '--data', dir]);
    expect(list.code).toBe(0);
    const merchants = json(list).merchants;
    expect(merchants.map((m: any) => [m.offerId, m.default])).toEqual([
      [stored.find((m) => m.is_default)!.offer_id, true],
      ['TC100008', false],
    ]);
    expect(Object.keys(merchants[0]).sort()).toEqual(['created', 'default', 'fingerprint', 'notifyUrl', 'offerId', 'privateKeyStored']);
    expectNoSecrets(list, stored);

    const human = await runCli(['sandbox', 'merchant', 'list', '--data', dir, '--verbose']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^OFFER ID\s+DEFAULT\s+NOTIFY URL\s+KEY FINGERPRINT\s+CREATED\n/);
    expect(human.stdout).toContain('http://127.0.0.1:3000/notify');
    expectNoSecrets(human, stored);

    const cleared = await runCli(['sandbox', 'merchant', 'set-notify', 'TC100008', 'none', '--data', dir]);
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toBe('notify URL of TC100008 cleared\n');
    expect(storedMerchants(dir).find((m) => m.offer_id === 'TC100008')!.notify_url).toBeNull();

    const set = await runCli(['--json', 'sandbox', 'merchant', 'set-notify', 'TC100008', 'https://shop.example/notify', '--data', dir]);
    expect(json(set)).toEqual({ dataDir: dir, offerId: 'TC100008', notifyUrl: 'https://shop.example/notify' });
    expect(storedMerchants(dir).find((m) => m.offer_id === 'TC100008')!.notify_url).toBe('https://shop.example/notify');
  });

  it('refuses a duplicate offerId (exit 1), a malformed one or a non-http notify URL (exit 2), an unknown merchant (exit 1)', async () => {
    const dir = await newSandbox();
    const first = await runCli(['sandbox', 'merchant', 'add', '--offer-id', 'TC200001', '--bits', '1024', '--data', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/1024-bit RSA is weak/);

    const again = await runCli(['sandbox', 'merchant', 'add', '--offer-id', 'TC200001', '--data', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: merchant TC200001 already exists in the sandbox at .*\nhint: .*\n$/);

    const bad = await runCli(['sandbox', 'merchant', 'add', '--offer-id', 'TX12', '--data', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --offer-id: offerId "TX12" is not TC followed by digits/);

    const ftp = await runCli(['sandbox', 'merchant', 'add', '--notify-url', 'ftp://example.com/x', '--data', dir]);
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toMatch(/--notify-url must be an http:\/\/ or https:\/\/ URL/);

    const unknown = await runCli(['sandbox', 'merchant', 'set-notify', 'TC999999', 'http://127.0.0.1/n', '--data', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: no merchant TC999999 in the sandbox at /);
    expect(storedMerchants(dir)).toHaveLength(2);
  });

  it('registers a merchant by its public key alone: no private key kept, and keys says so', async () => {
    const dir = await newSandbox();
    const cwd = tempDir();
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(cwd, 'shop.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const add = await runCli(['--json', 'sandbox', 'merchant', 'add', '--offer-id', 'TC300003', '--offer-key', 'MyOwnOfferKey123', '--public-key', 'shop.pub.pem', '--data', dir], { cwd });
    expect(add.code, add.stderr).toBe(0);
    expect(json(add).merchant).toMatchObject({ offerId: 'TC300003', fingerprint: fingerprintOf(publicKey), privateKeyStored: false });
    const row = storedMerchants(dir).find((m) => m.offer_id === 'TC300003')!;
    expect(row).toMatchObject({ offer_key: 'MyOwnOfferKey123', private_key_pem: '' });

    const keys = await runCli(['--json', 'sandbox', 'keys', '--offer-id', 'TC300003', '--data', dir]);
    expect(keys.code).toBe(0);
    expect(json(keys).merchant).toMatchObject({ offerId: 'TC300003', offerKey: 'MyOwnOfferKey123', privateKeyPem: null });
    const env = await runCli(['sandbox', 'keys', '--offer-id', 'TC300003', '--dotenv', '-', '--data', dir]);
    expect(Object.keys(parseEnv(env.stdout)).sort()).toEqual(['TACPAY_BASE_URL', 'TACPAY_OFFER_ID', 'TACPAY_OFFER_KEY', 'TACPAY_PLATFORM_PUBLIC_KEY']);
    expect(env.stdout).toMatch(/# TACPAY_PRIVATE_KEY: not stored in the sandbox/);
  });

  it('list and set-notify on a dir without sandbox data: one-line error, exit 1, nothing created', async () => {
    const dir = join(tempDir('tacpay-sbx-'), 'nothing-here');
    for (const args of [['merchant', 'list'], ['merchant', 'set-notify', 'TC1', 'none'], ['log'], ['pay', 'open_1']]) {
      const r = await runCli(['sandbox', ...args, '--data', dir]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(`error: no sandbox data at ${dir}; run tacpay sandbox start first\nhint: or point --sandbox-dir (or the sandboxDir option) at the directory a sandbox uses\n`);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('finds the data dir through the sandboxDir option when --data is absent', async () => {
    const dir = await newSandbox();
    const r = await runCli(['--json', 'sandbox', 'merchant', 'list'], { env: { HOME: tempDir(), TACPAY_SANDBOX_DIR: dir } });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ dataDir: dir, merchants: [{ default: true }] });
  });
});

describe('sandbox keys', () => {
  it('warns first, creates the store and default merchant, and prints credentials that work', async () => {
    const dir = join(tempDir('tacpay-sbx-'), 'data');
    const r = await runCli(['--json', 'sandbox', 'keys', '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('warning: these are sandbox secrets; never reuse them for production');
    expect(r.stderr).toMatch(/created a sandbox store in .* with default merchant TC\d+/);
    const doc = json(r);
    const [stored] = storedMerchants(dir);
    expect(doc.merchant).toMatchObject({ offerId: stored!.offer_id, offerKey: stored!.offer_key, default: true, notifyUrl: null });
    expect(doc).toMatchObject({ dataDir: dir, baseUrl: 'http://127.0.0.1:4010', running: false });

    // The private key printed is the one whose public half the sandbox verifies with.
    const sig = signText('round trip', createPrivateKey(doc.merchant.privateKeyPem));
    expect(verifyBytes('round trip', Buffer.from(sig, 'base64'), createPublicKey(stored!.public_key_pem))).toBe(true);
    const platform = openStore(dir, { readonly: true });
    expect(doc.platform.publicKeyPem).toBe(platform.getMeta('platform_public_key'));
    platform.close();
    expect(doc.platform.fingerprint).toBe(fingerprintOf(createPublicKey(doc.platform.publicKeyPem)));

    // The bare Base64 forms (what the documents print and the Java/PHP demos' loaders decode) are the same keys.
    const der = createPrivateKey({ key: Buffer.from(doc.merchant.privateKeyBase64, 'base64'), format: 'der', type: 'pkcs8' });
    expect(verifyBytes('round trip', Buffer.from(signText('round trip', der), 'base64'), createPublicKey(stored!.public_key_pem))).toBe(true);
    expect(createPublicKey({ key: Buffer.from(doc.platform.publicKeyBase64, 'base64'), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' })).toBe(doc.platform.publicKeyPem);
    const b64 = await runCli(['sandbox', 'keys', '--data', dir, '--format', 'base64']);
    expect(b64.stdout).toContain(`\n${doc.merchant.privateKeyBase64}\n`);
    expect(b64.stdout).not.toContain('BEGIN PRIVATE KEY');
    expect((await runCli(['sandbox', 'keys', '--data', dir, '--format', 'der'])).code).toBe(2);

    // Asked again: the same merchant, not a new one.
    const again = json(await runCli(['--json', 'sandbox', 'keys', '--data', dir]));
    expect(again.merchant.offerId).toBe(doc.merchant.offerId);
    expect(storedMerchants(dir)).toHaveLength(1);

    const human = await runCli(['sandbox', 'keys', '--data', dir]);
    expect(human.stdout).toContain(stored!.offer_key);
    expect(human.stdout).toContain('-----BEGIN PRIVATE KEY-----');
    expect(human.stdout).toContain(doc.platform.fingerprint);
  });

  it('--dotenv writes a 0600 .env a backend can load, refuses to overwrite, --force replaces', async () => {
    const dir = await newSandbox();
    const cwd = tempDir();
    const w = await runCli(['sandbox', 'keys', '--dotenv', '--data', dir], { cwd });
    expect(w.code, w.stderr).toBe(0);
    const path = join(cwd, '.env');
    expect(w.stdout).toBe(`Wrote ${path} (mode 0600): TACPAY_OFFER_ID, TACPAY_OFFER_KEY, TACPAY_PRIVATE_KEY, TACPAY_PLATFORM_PUBLIC_KEY, TACPAY_BASE_URL\n`);
    expect(mode(path)).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    const env = parseEnv(text);
    const [m] = storedMerchants(dir);
    expect(env.TACPAY_OFFER_ID).toBe(m!.offer_id);
    expect(env.TACPAY_OFFER_KEY).toBe(m!.offer_key);
    expect(env.TACPAY_PRIVATE_KEY).toBe(m!.private_key_pem);
    expect(env.TACPAY_BASE_URL).toBe('http://127.0.0.1:4010');
    expect(createPublicKey(env.TACPAY_PLATFORM_PUBLIC_KEY!).asymmetricKeyType).toBe('rsa');
    // One line per variable: the PEM travels with \n escapes inside double quotes.
    expect(text).toMatch(/^TACPAY_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\\n[^\n]+\\n-----END PRIVATE KEY-----\\n"$/m);

    const refused = await runCli(['sandbox', 'keys', '--dotenv', '.env', '--data', dir], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^warning: .*\nerror: .*\.env already exists; nothing was written\nhint: pass --force/);
    expect(readFileSync(path, 'utf8')).toBe(text);

    chmodSync(path, 0o644);
    writeFileSync(path, 'OLD=1\n');
    const forced = await runCli(['--json', 'sandbox', 'keys', '--dotenv', '.env', '--force', '--data', dir], { cwd });
    expect(forced.code, forced.stderr).toBe(0);
    expect(json(forced).envFile).toEqual({ path, mode: '0600', variables: ['TACPAY_OFFER_ID', 'TACPAY_OFFER_KEY', 'TACPAY_PRIVATE_KEY', 'TACPAY_PLATFORM_PUBLIC_KEY', 'TACPAY_BASE_URL'] });
    expect(mode(path)).toBe(0o600);
    expect(parseEnv(readFileSync(path, 'utf8')).TACPAY_OFFER_KEY).toBe(m!.offer_key);

    const printed = await runCli(['sandbox', 'keys', '--dotenv', '-', '--data', dir], { cwd });
    expect(printed.code).toBe(0);
    expect(parseEnv(printed.stdout)).toEqual(parseEnv(text));

    const missingDir = await runCli(['sandbox', 'keys', '--dotenv', 'no/such/dir/.env', '--data', dir], { cwd });
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toMatch(/error: directory .*no\/such\/dir does not exist/);
  });

  it('points TACPAY_BASE_URL at a running sandbox found through its ready file', async () => {
    const dir = await newSandbox();
    const h = await harness(dir);
    writeReady(dir, { url: h.sandbox.url, pid: process.pid, started: new Date().toISOString(), offerId: h.merchant.offer_id });
    const r = await runCli(['--json', 'sandbox', 'keys', '--data', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ baseUrl: h.sandbox.url, running: true });
  });

  it('--offer-id of an unknown merchant, or on a dir without data: exit 1, nothing created', async () => {
    const dir = await newSandbox();
    const unknown = await runCli(['sandbox', 'keys', '--offer-id', 'TC424242', '--data', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error: no merchant TC424242 in the sandbox at /);
    const empty = join(tempDir(), 'none');
    const none = await runCli(['sandbox', 'keys', '--offer-id', 'TC424242', '--data', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no sandbox data at ${empty}; run tacpay sandbox start first`);
    expect(existsSync(empty)).toBe(false);
  });
});

describe('sandbox log', () => {
  it('shows requests newest last, filters by api and ret, and never prints a secret', async () => {
    const dir = await newSandbox();
    const h = await harness(dir);
    expect((await h.post('unified_order', h.sign(orderParams('log1')))).ret).toBe(RET.ok);
    const badSign = { ...h.sign(orderParams('log2')), sign: h.sign(orderParams('other')).sign! };
    expect((await h.post('unified_order', badSign)).ret).toBe(RET.badSignature);
    expect((await h.post('query_order', h.sign({ user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_log1' }))).ret).toBe(RET.ok);
    await h.close();
    harnesses.splice(harnesses.indexOf(h), 1);
    const merchants = storedMerchants(dir);

    const all = await runCli(['--json', 'sandbox', 'log', '--data', dir]);
    expect(all.code, all.stderr).toBe(0);
    const requests = json(all).requests;
    expect(requests.map((r: any) => [r.api, r.ret])).toEqual([
      ['unified_order', 0],
      ['unified_order', 1001],
      ['query_order', 0],
    ]);
    expect(requests[0]).toMatchObject({ method: 'POST', offerId: h.merchant.offer_id, wire: 'post-query', tsReading: 'beijing-naive', status: 200, path: `/v1/r/${h.merchant.offer_id}/unified_order` });
    expect(requests[0].params).toMatchObject({ out_trade_no: 'open_log1', amount: '100' });
    expect(requests[0].latencyMs).toBeGreaterThan(0);
    expect(requests[1].msg).toMatch(/^signature does not verify/);
    expectNoSecrets(all, merchants);

    const failures = json(await runCli(['--json', 'sandbox', 'log', '--ret', '1001', '--data', dir])).requests;
    expect(failures.map((r: any) => r.params.out_trade_no)).toEqual(['open_log2']);
    const queries = json(await runCli(['--json', 'sandbox', 'log', '--api', 'query_order', '--data', dir])).requests;
    expect(queries.map((r: any) => r.api)).toEqual(['query_order']);
    const newest = json(await runCli(['--json', 'sandbox', 'log', '--limit', '1', '--data', dir])).requests;
    expect(newest.map((r: any) => r.api)).toEqual(['query_order']);

    const human = await runCli(['sandbox', 'log', '--verbose', '--data', dir]);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/POST\s+unified_order\s+TC\d+\s+post-query\s+ret 0\s+[\d.]+ms\s+ts beijing-naive$/);
    // The signature is checked before ts, so a bad signature has no ts reading.
    expect(lines[1]).toMatch(/POST\s+unified_order\s+TC\d+\s+post-query\s+ret 1001\s+[\d.]+ms\s+ts -\s+signature does not verify/);
    expect(human.stdout).toContain('"out_trade_no":"open_log1"');
    expectNoSecrets(human, merchants);
  });

  it('rejects a bad --api, --ret or --limit with a usage error', async () => {
    const dir = await newSandbox();
    for (const [flag, value] of [['--api', 'pay_order'], ['--ret', 'zero'], ['--limit', '-1']] as const) {
      const r = await runCli(['sandbox', 'log', flag, value, '--data', dir]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: ${flag} must be`));
    }
  });
});

describe('sandbox pay', () => {
  it('pays an unpaid order, says so when it is already paid, and refuses unknown or closed orders', async () => {
    const dir = await newSandbox();
    const h = await harness(dir);
    const created = await h.post('unified_order', h.sign(orderParams('pay1')));
    expect(created.ret).toBe(RET.ok);
    expect((await h.post('unified_order', h.sign(orderParams('pay2')))).ret).toBe(RET.ok);
    expect((await h.post('close_order', h.sign({ user_id: 'rickenwang', out_trade_no: 'open_pay2' }))).ret).toBe(RET.ok);

    // The store is shared with the running server (WAL): the CLI pays while it serves.
    const paid = await runCli(['--json', 'sandbox', 'pay', 'open_pay1', '--data', dir]);
    expect(paid.code, paid.stderr).toBe(0);
    expect(json(paid)).toMatchObject({ ret: 0, msg: 'ok', out_trade_no: 'open_pay1', order_state: '2', transaction_id: created.transaction_id, amount: 100 });
    const query = await h.post('query_order', h.sign({ user_id: 'rickenwang', type: 'by_order', out_trade_no: 'open_pay1' }));
    expect(query).toMatchObject({ ret: 0, order_state: '2', pay_time: json(paid).pay_time });
    // A paid order can now be refunded: what `sandbox pay` exists for.
    expect((await h.post('refund', h.sign({ user_id: 'rickenwang', out_trade_no: 'open_pay1', refund_id: 'r1', amount: '40' }))).ret).toBe(RET.ok);

    const human = await runCli(['sandbox', 'pay', 'open_pay1', '--offer-id', h.merchant.offer_id, '--data', dir]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Order was already paid: open_pay1\n\s+order_state\s+2 \(paid, delivering\)\n/);

    const unknown = await runCli(['sandbox', 'pay', 'open_nope', '--data', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: cannot pay: no order with out_trade_no open_nope\nhint: /);

    const closed = await runCli(['--json', 'sandbox', 'pay', 'open_pay2', '--data', dir]);
    expect(closed.code).toBe(1);
    expect(json(closed).error).toMatchObject({ code: 'api', message: 'cannot pay: order open_pay2 is closed and cannot be paid' });

    const otherMerchant = await runCli(['sandbox', 'pay', 'open_pay1', '--offer-id', 'TC111111', '--data', dir]);
    expect(otherMerchant.code).toBe(1);
    expect(otherMerchant.stderr).toMatch(/no merchant TC111111/);
  });
});
