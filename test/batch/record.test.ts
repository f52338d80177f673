import { createPrivateKey, createPublicKey, sign as rsaSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LineBatch } from '../../src/batch/batcher.js';
import { judgeBatch, newTally } from '../../src/batch/record.js';
import { fingerprintOf } from '../../src/core/keys.js';
import { textFromBytes } from '../../src/core/payinfo-input.js';
import { checkPayInfo, type CheckOptions, type VerifyKey } from '../../src/core/payinfo-verify.js';
import { docPayInfo, FIXTURES } from '../helpers/fixtures.js';

const pem = (dir: string, name: string) => readFileSync(join(FIXTURES, dir, name), 'utf8');
const verifyKey = (pub: KeyObject): VerifyKey => ({ publicKey: pub, bits: pub.asymmetricKeyDetails!.modulusLength!, fingerprint: fingerprintOf(pub) });
const big = { private: createPrivateKey(pem('payinfo', 'platform-private.pem')), public: verifyKey(createPublicKey(pem('payinfo', 'platform-public.pem'))) };
// A 512-bit key makes lines under the documented 512 characters: records without the length warning.
const small = { private: createPrivateKey(pem('keys', 'test-rsa512.pkcs8.pem')), public: verifyKey(createPublicKey(pem('keys', 'test-rsa512.pub.pem'))) };

function payInfo(key: KeyObject, fields: Record<string, string> = {}): string {
  const text = JSON.stringify({ appid: 'TC100008', user_id: 'rickenwang', out_trade_no: 'open_1', product_id: 'product_test', pay_method: 'wechat', ...fields });
  return 'data=' + encodeURIComponent(text) + '&sign=' + encodeURIComponent(rsaSign('sha256', Buffer.from(text), key).toString('base64'));
}

/** A batch as the batcher makes it: the lines one after another with their line ends; `null` is a line over the cap. */
function batchOf(lines: ReadonlyArray<string | Buffer | null>, firstLine = 1): LineBatch {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  for (const line of lines) {
    if (line === null) {
      offsets.push(-1, 70_000);
      continue;
    }
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    offsets.push(size, bytes.length);
    parts.push(bytes, Buffer.from('\n'));
    size += bytes.length + 1;
  }
  const bytes = new ArrayBuffer(size + 16);
  Buffer.concat(parts).copy(Buffer.from(bytes));
  return { firstLine, count: lines.length, bytes, size, lines: Float64Array.from(offsets) };
}

/**
 * What a record says, built from the general path (never the byte-level fast path) and
 * JSON.stringify: the oracle the batch's verdicts and its byte-level writing are held to.
 */
function expectedRecord(line: number, input: string | Buffer | null, opts: CheckOptions): string {
  if (input === null) return 'too-long';
  const { text, issues } = textFromBytes(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  if (text === undefined) return JSON.stringify({ line, valid: false, issues, signature: { status: 'not-checked', reason: 'the line is not text' } });
  const check = checkPayInfo(text, opts);
  const s = check.signature;
  const signature =
    s.status === 'verified' ? { status: s.status, candidate: s.candidate, hash: s.hash } : s.status === 'failed' ? { status: s.status, causes: s.causes ?? [] } : opts.key ? { status: s.status, reason: s.reason ?? '' } : { status: s.status };
  const outTradeNo = check.parsed.data?.out_trade_no;
  return JSON.stringify({ line, valid: check.valid, ...(typeof outTradeNo === 'string' ? { out_trade_no: outTradeNo } : {}), issues: check.parsed.issues, signature });
}

const judged = (batch: LineBatch, opts: CheckOptions, reuse?: ArrayBuffer) => Buffer.from(judgeBatch(batch, opts, reuse).out).toString('utf8').split('\n');

describe('judgeBatch: records written as bytes', () => {
  const mixed: Array<string | Buffer | null> = [
    payInfo(big.private),
    payInfo(small.private),
    payInfo(small.private, { out_trade_no: 'a.b-c_9', user_id: 'U1234' }),
    payInfo(big.private).replace('%7B', '%7b'),
    payInfo(small.private, { user_id: 'x' }),
    payInfo(small.private, { appid: 'TC1' }),
    payInfo(small.private, { appid: 'tc1' }),
    payInfo(small.private, { appid: 'tc1' }),
    `"${payInfo(small.private)}"`,
    docPayInfo,
    'junk',
    '',
    null,
    Buffer.from([0x64, 0xff]),
    Buffer.from([0x64, 0x00, 0x61]),
  ];

  it('each record is what the general API and JSON.stringify give, with and without a key, and with --expect-appid', () => {
    for (const opts of [{}, { key: big.public }, { key: small.public }, { key: small.public, expectAppid: 'TC1' }, { expectAppid: 'TC100009' }] as CheckOptions[]) {
      const out = judged(batchOf(mixed, 7), opts);
      expect(out.pop()).toBe('');
      expect(out).toHaveLength(mixed.length);
      out.forEach((record, i) => {
        if (mixed[i] === null) expect(JSON.parse(record).issues[0].code).toBe('line.too-long');
        else expect(record).toBe(expectedRecord(7 + i, mixed[i]!, opts));
      });
    }
  });

  it('counts what it wrote', () => {
    const opts = { key: small.public };
    const { tally } = judgeBatch(batchOf(mixed), opts);
    const expected = newTally();
    mixed.forEach((input, i) => {
      const r = input === null ? { valid: false, signature: { status: 'not-checked' } } : JSON.parse(expectedRecord(1 + i, input, opts));
      expected.lines++;
      if (r.valid) expected.valid++;
      else expected.invalid++;
      if (r.signature.status === 'verified') expected.verified++;
      else if (r.signature.status === 'failed') expected.failed++;
      else expected.notChecked++;
    });
    expect(tally).toEqual(expected);
    expect(tally.valid).toBeGreaterThanOrEqual(2);
    expect(tally.failed).toBeGreaterThanOrEqual(1);
  });

  it('warns about length from 513 characters on, as the general path does', () => {
    // Canonical lines of 511 to 514 characters: a longer user_id pads a 512-bit line, and the
    // out_trade_no varies the sign, whose escapes (%2B, %2F) vary its length.
    const ofLength = (n: number) => {
      for (let k = 150; k < 256; k++) {
        for (let o = 0; o < 20; o++) {
          const line = payInfo(small.private, { user_id: 'u'.repeat(k), out_trade_no: `o${o}` });
          if (line.length === n) return line;
        }
      }
      throw new Error(`no line of ${n} characters`);
    };
    const lines = [511, 512, 513, 514].map(ofLength);
    expect(lines.map((l) => l.length)).toEqual([511, 512, 513, 514]);
    const out = judged(batchOf(lines), { key: small.public });
    lines.forEach((line, i) => expect(out[i]).toBe(expectedRecord(1 + i, line, { key: small.public })));
    expect(out.slice(0, 4).map((r) => JSON.parse(r).issues.length)).toEqual([0, 0, 1, 1]);
  });

  it('writes any line number as JSON does, across digit-count boundaries', () => {
    const line = payInfo(small.private);
    fc.assert(
      fc.property(fc.constantFrom(1, 9, 10, 99, 100, 999_999, 1_000_000, 2 ** 31, 2 ** 53 - 3), fc.integer({ min: 1, max: 3 }), (first, n) => {
        const out = judged(batchOf(Array.from({ length: n }, () => line), first), {});
        for (let i = 0; i < n; i++) expect(out[i]).toBe(expectedRecord(first + i, line, {}));
      }),
    );
  });

  it('grows past the buffer it was handed when the records need more; small batches stay in that buffer', () => {
    // Lines whose records carry long diagnoses: far more than the 64 KiB buffer handed in.
    const wrapped = `"${payInfo(small.private)}"`;
    const lines = Array.from({ length: 128 }, () => wrapped);
    const reuse = new ArrayBuffer(64 * 1024);
    const { out } = judgeBatch(batchOf(lines), { key: small.public }, reuse);
    expect(out.length).toBeGreaterThan(64 * 1024);
    const records = Buffer.from(out).toString('utf8').split('\n');
    expect(records.pop()).toBe('');
    records.forEach((record, i) => expect(record).toBe(expectedRecord(1 + i, wrapped, { key: small.public })));
    // Small batches fit in the buffer handed in: no new allocation.
    const fits = judgeBatch(batchOf([payInfo(small.private)]), {}, reuse);
    expect(fits.out.buffer).toBe(reuse);
  });
});
