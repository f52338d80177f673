// Spawns the built CLI (npm test builds first; run `node scripts/build.mjs` before running this file alone).
import { spawn } from 'node:child_process';
import { createPrivateKey, sign as rsaSign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, json, spawnCli, tempDir } from '../helpers/cli.js';
import { docPayInfo, FIXTURES } from '../helpers/fixtures.js';

const KEYS = join(FIXTURES, 'payinfo');
const SIGNED = readFileSync(join(KEYS, 'signed.txt'), 'utf8').trimEnd();
const records = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: number; valid: boolean; out_trade_no?: string; issues: Array<{ code: string }>; signature: { status: string } });

describe('tacpay decode (built CLI)', () => {
  it('decodes the documented example', async () => {
    const r = await spawnCli(['decode', docPayInfo]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/user_id\s+rickenwang/);
    expect(r.stdout).toContain('not checked (no public key');
    const j = json(await spawnCli(['decode', '--json', docPayInfo]));
    expect(j.valid).toBe(true);
    expect(j.sign).toEqual({ base64Length: 344, bytes: 256 });
  });

  it('decode - reads one pay_info from stdin, one trailing newline ignored', async () => {
    const r = await spawnCli(['decode', '--json', '-', '--public-key', join(KEYS, 'platform-public.pem')], { stdin: SIGNED + '\n' });
    expect(r.code).toBe(0);
    expect(json(r).signature).toMatchObject({ status: 'verified', candidate: 'decoded-json', hash: 'sha256' });
  });

  it('a failed signature exits 1 with causes', async () => {
    const r = await spawnCli(['decode', '--json', SIGNED, '--public-key', join(KEYS, 'other-public.pem')]);
    expect(r.code).toBe(1);
    expect(json(r).signature.causes[0].code).toBe('different-key');
  });

  describe('bad input: one line, exit 1, no stack trace, no hang', () => {
    it.each([
      ['empty stdin', ['decode', '-'], '', /^error: the pay_info is empty\nhint: /],
      ['binary', ['decode', '-'], Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00]), /^error: the input holds binary data/],
      ['invalid UTF-8', ['decode', '-'], Buffer.from([0x64, 0x61, 0xc3, 0x28]), /^error: the input is not valid UTF-8 \(byte 0xc3 at offset 2\)/],
      ['a 10 MB line', ['decode', '-'], Buffer.alloc(10 * 1024 * 1024, 0x41), /^error: the input is 10,485,760 bytes/],
    ] as const)('%s', async (_what, args, stdin, message) => {
      const r = await spawnCli([...args], { stdin });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(2);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it('truncated percent-escapes: judged, exit 1', async () => {
      const r = await spawnCli(['decode', docPayInfo.replace('%22rickenwang', '%E4%B8rickenwang')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('[payinfo.bad-percent-encoding]');
    });

    it('a key file that is a directory', async () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'platform.pem'));
      const r = await spawnCli(['decode', docPayInfo, '--public-key', 'platform.pem'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: platform public key file platform.pem is a directory, not a file\nhint: /);
    });
  });
});

describe('tacpay decode --file (built CLI, worker threads)', () => {
  const N = 3000;
  const BAD = new Map<number, string>(); // line number -> why it is invalid
  let dir: string;

  beforeAll(() => {
    // RSA-1024 signs about four times faster than RSA-2048: the point here is ordering and counts.
    const key = createPrivateKey(readFileSync(join(KEYS, 'small-private.pem')));
    const lines: string[] = [];
    for (let i = 1; i <= N; i++) {
      const text = JSON.stringify({ appid: 'TC100008', user_id: 'user' + (10000 + i), out_trade_no: `o${i}`, product_id: 'product_test', pay_method: 'wechat' });
      let sig = rsaSign('sha256', Buffer.from(text), key).toString('base64');
      if (i % 500 === 7) {
        sig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
        BAD.set(i, 'altered sign');
      }
      lines.push('data=' + encodeURIComponent(text) + '&sign=' + encodeURIComponent(sig));
    }
    lines[1999] = 'not a pay_info';
    BAD.set(2000, 'junk');
    dir = tempDir();
    writeFileSync(join(dir, 'lines.txt'), lines.join('\n') + '\n');
    // The same lines plus a 10 MB line in the middle.
    lines.splice(1500, 0, 'x'.repeat(10 * 1024 * 1024));
    writeFileSync(join(dir, 'with-huge-line.txt'), lines.join('\n') + '\n');
  });

  const run = (extra: string[], file = 'lines.txt') => spawnCli(['decode', '--file', file, '--public-key', join(KEYS, 'small-public.pem'), ...extra], { cwd: dir, timeoutMs: 60_000 });

  it('--workers 2: every line, in input order, with the right verdicts and counts', async () => {
    const r = await run(['--workers', '2']);
    expect(r.code).toBe(1);
    const recs = records(r.stdout);
    expect(recs).toHaveLength(N);
    expect(recs.map((x) => x.line)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    for (const rec of recs) {
      if (rec.line !== 2000) expect(rec.out_trade_no).toBe(`o${rec.line}`);
      expect(rec.valid).toBe(!BAD.has(rec.line));
    }
    expect(recs.filter((x) => x.signature.status === 'failed').map((x) => x.line)).toEqual([...BAD.entries()].filter(([, why]) => why === 'altered sign').map(([n]) => n));
    expect(r.stderr).toMatch(new RegExp(`decoded 3,000 lines: ${(N - BAD.size).toLocaleString('en-US')} valid, ${BAD.size} invalid`));
    expect(r.stderr).toContain('2 worker threads');
  });

  it('one thread and worker threads write byte-identical output', async () => {
    const [single, workers] = await Promise.all([run(['--workers', '0']), run(['--workers', '2'])]);
    expect(single.stderr).not.toContain('worker threads');
    expect(workers.stdout).toBe(single.stdout);
  });

  it('lines that are not ASCII (UTF-8 text, invalid UTF-8, binary, CRLF) judge the same on workers as on one thread', async () => {
    // Workers take an all-ASCII batch as one string; any other batch goes line by line.
    const good = readFileSync(join(dir, 'lines.txt'), 'utf8').split('\n').slice(0, 400);
    const odd = [Buffer.from('data=%7B%22appid%22%3A%22TC100008%22%2C%22user_id%22%3A%22用户%22%7D&sign=x'), Buffer.from([0x64, 0xff, 0xfe]), Buffer.from([0x00, 0x01, 0x02]), Buffer.from(good[3]! + '\r')];
    const parts: Buffer[] = [];
    for (let i = 0; i < good.length; i++) parts.push(Buffer.from(good[i]!), i % 97 === 5 ? odd[(i / 97) | 0] ?? Buffer.alloc(0) : Buffer.alloc(0), Buffer.from('\n'));
    writeFileSync(join(dir, 'mixed.txt'), Buffer.concat(parts));
    const [single, workers] = await Promise.all([run(['--workers', '0'], 'mixed.txt'), run(['--workers', '2'], 'mixed.txt')]);
    expect(workers.stdout).toBe(single.stdout);
    const codes = records(single.stdout).flatMap((r) => r.issues.map((i) => i.code));
    expect(codes).toContain('input.invalid-utf8');
    expect(codes).toContain('input.binary');
  });

  it('a reader that stalls: output waits for the pipe (backpressure), then arrives whole and in order', async () => {
    // The workers' output buffers go back to them once written (test/batch/output.test.ts checks
    // the timing on a slow asynchronous stream); here a real stalled pipe must neither lose nor reorder records.
    const single = await run(['--workers', '0']);
    const child = spawn(process.execPath, [BIN, 'decode', '--file', 'lines.txt', '--public-key', join(KEYS, 'small-public.pem'), '--workers', '2'], { cwd: dir, env: { ...cleanEnv(), NO_COLOR: '1' } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 1500)); // the pipe (64 KiB) fills long before 3,000 records (~450 KB) are out
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(single.stdout);
  });

  it('by default a big file goes to one worker per core but one (this thread judges too), order intact', async () => {
    const r = await run([]);
    expect(records(r.stdout).map((x) => x.line)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    if (availableParallelism() > 1) expect(r.stderr).toMatch(new RegExp(`, ${availableParallelism() - 1} worker threads? and the main thread\\)`));
  });

  it('by default a stream moves to worker threads after 2,000 lines, byte-identical to one thread', async () => {
    const input = readFileSync(join(dir, 'lines.txt'), 'utf8');
    const [stream, single] = await Promise.all([
      spawnCli(['decode', '--batch', '--public-key', join(KEYS, 'small-public.pem')], { cwd: dir, stdin: input, timeoutMs: 60_000 }),
      run(['--workers', '0']),
    ]);
    expect(stream.stdout).toBe(single.stdout);
    if (availableParallelism() > 1) expect(stream.stderr).toMatch(new RegExp(`, ${availableParallelism() - 1} worker threads? and the main thread\\)`));
  });

  it('a 10 MB line becomes one line.too-long record and the batch goes on', async () => {
    const r = await run(['--workers', '2'], 'with-huge-line.txt');
    const recs = records(r.stdout);
    expect(recs).toHaveLength(N + 1);
    expect(recs[1500]).toMatchObject({ line: 1501, valid: false });
    expect(recs[1500]!.issues.map((i) => i.code)).toEqual(['line.too-long']);
    expect(recs[1501]!.out_trade_no).toBe('o1501');
    expect(recs[N]!.out_trade_no).toBe(`o${N}`);
  });

  it('--batch reads stdin', async () => {
    const r = await spawnCli(['decode', '--batch'], { stdin: `${docPayInfo}\n${SIGNED}\n` });
    expect(r.code).toBe(0);
    expect(records(r.stdout).map((x) => x.valid)).toEqual([true, true]);
  });
});
