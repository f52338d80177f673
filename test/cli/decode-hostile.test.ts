import { createPrivateKey, sign as rsaSign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DATA_CHARS, MAX_DATA_DEPTH } from '../../src/core/payinfo-limits.js';
import { cleanEnv, json, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/fixtures.js';

const KEYS = join(FIXTURES, 'payinfo');
const PLATFORM_PUB = join(KEYS, 'platform-public.pem');
const platformPrivate = createPrivateKey(readFileSync(join(KEYS, 'platform-private.pem')));
const FIELDS = { appid: 'TC100008', user_id: 'rickenwang', out_trade_no: 'open_1', product_id: 'product_test', pay_method: 'wechat' };
const SIGN = encodeURIComponent('A'.repeat(342) + '==');

/** A pay_info around `data` (JSON text), percent-encoded as documented unless `raw`, with a syntactically fine sign. */
function around(data: string, raw = false): string {
  return `data=${raw ? data : encodeURIComponent(data)}&sign=${SIGN}`;
}

/** Signed with the platform key, so the signature check and its causes are rendered too. */
function signed(data: string): string {
  return `data=${encodeURIComponent(data)}&sign=${encodeURIComponent(rsaSign('sha256', Buffer.from(data), platformPrivate).toString('base64'))}`;
}

const nested = (depth: number, inner = '0') => '{"a":' + '['.repeat(depth - 1) + inner + ']'.repeat(depth - 1) + '}';
const codes = (doc: { issues: Array<{ code: string }> }) => doc.issues.map((i) => i.code);

describe('decode: data nesting and size limits', () => {
  it('data nested 5,000 deep is an invalid pay_info with a one-line reason, not an internal error (built CLI)', async () => {
    const input = around(nested(5000));
    const r = await spawnCli(['decode', input]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const reason = r.stdout.split('\n').filter((l) => l.includes('[data.too-deep]'));
    expect(reason).toEqual([`  ✗ error  the data nests deeper than ${MAX_DATA_DEPTH} levels of arrays and objects; a pay_info's data is one flat object [data.too-deep]`]);
    expect(r.stdout).toContain('data  (not decoded: see the issues)');
    expect(r.stdout).not.toMatch(/internal|bug in tacpay|Maximum call stack/);
    const doc = json(await spawnCli(['decode', '--json', input]));
    expect(doc.valid).toBe(false);
    expect(doc.data).toBeNull();
    expect(codes(doc)).toContain('data.too-deep');
  });

  it(`takes apart data ${MAX_DATA_DEPTH} levels deep and refuses ${MAX_DATA_DEPTH + 1}`, async () => {
    const ok = json(await runCli(['decode', '--json', around(nested(MAX_DATA_DEPTH))]));
    expect(codes(ok)).not.toContain('data.too-deep');
    expect(ok.data.a).toEqual([[[[[[[0]]]]]]]);
    const deep = json(await runCli(['decode', '--json', around(nested(MAX_DATA_DEPTH + 1))]));
    expect(codes(deep)).toContain('data.too-deep');
    // Brackets inside strings are text, not nesting.
    const inString = json(await runCli(['decode', '--json', around(JSON.stringify({ ...FIELDS, note: '['.repeat(50) }))]));
    expect(codes(inString)).not.toContain('data.too-deep');
  });

  it('objects nest as arrays do', async () => {
    const objects = '{"a":'.repeat(2000) + '1' + '}'.repeat(2000);
    const r = await runCli(['decode', '--json', around(objects)]);
    expect(r.code).toBe(1);
    expect(codes(json(r))).toContain('data.too-deep');
  });

  it(`data over ${MAX_DATA_CHARS} characters is refused with its size; at the limit it is judged`, async () => {
    const pad = (n: number) => JSON.stringify({ ...FIELDS, note: '' }).length + n;
    const fill = (total: number) => JSON.stringify({ ...FIELDS, note: 'x'.repeat(total - pad(0)) });
    const over = await runCli(['decode', around(fill(MAX_DATA_CHARS + 1))]);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain(`the data is 16,385 characters; decode takes apart at most 16,384`);
    expect(over.stdout).toContain('[data.too-long]');
    const at = json(await runCli(['decode', '--json', around(fill(MAX_DATA_CHARS))]));
    expect(codes(at)).not.toContain('data.too-long');
    expect(at.data.note).toHaveLength(MAX_DATA_CHARS - pad(0));
  });

  it('a deep signed pay_info still gets its signature checked, from the text that was signed', async () => {
    const r = json(await runCli(['decode', '--json', signed(nested(200)), '--public-key', PLATFORM_PUB]));
    expect(r.signature.status).toBe('verified');
    expect(r.valid).toBe(false);
    expect(codes(r)).toContain('data.too-deep');
  });

  it('a batch line nested deep gets a data.too-deep record; the other lines are judged as usual', async () => {
    const dir = tempDir();
    const file = join(dir, 'lines.txt');
    writeFileSync(file, [around(JSON.stringify(FIELDS)), around(nested(5000)), around(nested(4000), true)].join('\n') + '\n');
    for (const workers of ['0', '1']) {
      const r = await spawnCli(['decode', '--file', file, '--workers', workers], { env: cleanEnv() });
      expect(r.code).toBe(1);
      const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(records.map((x) => x.line)).toEqual([1, 2, 3]);
      expect(records[0].issues.map((i: { code: string }) => i.code)).not.toContain('data.too-deep');
      for (const x of records.slice(1)) expect(x.issues.map((i: { code: string }) => i.code)).toContain('data.too-deep');
    }
  });
});

describe('decode: output stays linear in the input', () => {
  // k and c: the worst case is --json of an array as deep as allowed, each element on a line
  // indented 2 spaces per level (about 9 bytes out per 2 bytes in); c covers the report's fixed text.
  const K = 12;
  const C = 4096;
  const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(',');
  const hostile: Record<string, string> = {
    'arrays 5,000 deep': around(nested(5000)),
    'objects 3,000 deep': around('{"a":'.repeat(3000) + '1' + '}'.repeat(3000)),
    'arrays 2,000 deep, raw': around(nested(2000), true),
    'a wide array as deep as allowed': around(nested(MAX_DATA_DEPTH, many(7000, () => '0')), true),
    'empty arrays as deep as allowed': around(nested(MAX_DATA_DEPTH, many(2500, () => '[]')), true),
    'an object with 1,500 keys': around('{' + many(1500, (i) => `"k${i}":${i}`) + '}', true),
    'one 8,000-character key and 1,000 short ones': around('{"' + 'K'.repeat(8000) + '":1,' + many(1000, (i) => `"${i}":0`) + '}', true),
    'a 16,000-character string': around(JSON.stringify({ ...FIELDS, a: 'x'.repeat(16000) }), true),
    'a string of control characters': around(JSON.stringify({ ...FIELDS, a: '\u0001'.repeat(2500) }), true),
    'a string of bidi overrides': around(JSON.stringify({ ...FIELDS, a: '\u202e'.repeat(4000) })),
    'many extra parts': Array.from({ length: 150 }, (_, i) => `p${i}=${'v'.repeat(300)}`).join('&'),
    'a 60,000-character sign': `data=${encodeURIComponent(JSON.stringify(FIELDS))}&sign=${'A'.repeat(60000)}`,
  };

  for (const [name, input] of Object.entries(hostile)) {
    it(`${name}: human and --json output <= ${K} x input + ${C} bytes`, async () => {
      const inBytes = Buffer.byteLength(input);
      for (const args of [['decode', input], ['decode', '--json', input]]) {
        const r = await runCli(args);
        expect(r.stdout).not.toContain('internal');
        expect(r.stderr).toBe('');
        const outBytes = Buffer.byteLength(r.stdout);
        expect(outBytes, `${args.length === 3 ? '--json' : 'human'}: ${outBytes} bytes out for ${inBytes} in`).toBeLessThanOrEqual(K * inBytes + C);
      }
    });
  }

  it('the measure itself catches quadratic output: a wide object is padded to short labels only', async () => {
    // Before labels were capped, every row was padded to the 8,000-character key: 8 MB of spaces.
    const r = await runCli(['decode', hostile['one 8,000-character key and 1,000 short ones']!]);
    expect(r.stdout).toMatch(/^ {2}K{8000} {2}1$/m);
    expect(r.stdout).toMatch(/^ {2}999 {3}0$/m);
  });
});

describe('decode: everything taken from the pay_info is inert in human output', () => {
  // C0 (but newline), DEL, C1 and the bidi controls: what inert() escapes.
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const ESC = '\u001b';
  const evil = `${ESC}[2J${ESC}]0;owned\u0007\u202eevil\u0085\nline`;
  const cases: Record<string, string[]> = {
    'field values': ['decode', around(JSON.stringify({ ...FIELDS, user_id: evil, pay_method: evil }))],
    'field names': ['decode', around(JSON.stringify({ ...FIELDS, [evil]: 1, [`k${evil}`]: { [evil]: [evil] } }))],
    'a value that is not a string': ['decode', around(JSON.stringify({ ...FIELDS, appid: [evil], user_id: { [evil]: evil } }))],
    'JSON error text quoting the input': ['decode', around(`{"appid":"TC1"${ESC}[31m\u202e}`)],
    'part names': ['decode', `data=${encodeURIComponent(JSON.stringify(FIELDS))}&sign=${SIGN}&${encodeURIComponent(evil)}=1&D${encodeURIComponent(evil)}ATA=2`],
    'a near-miss part name': ['decode', `Data${encodeURIComponent(evil)}=1&sign=${SIGN}`],
    'the sign': ['decode', `data=${encodeURIComponent(JSON.stringify(FIELDS))}&sign=${encodeURIComponent(evil)}`],
    'a broken percent-escape': ['decode', `data=%7B%22a%22%3A%22%E2%80%22%7D${encodeURIComponent(evil)}&sign=${SIGN}`],
    'copy-paste wrapping': ['decode', `\u201c${around(JSON.stringify(FIELDS))}\u201d\u00a0`],
    'an unexpected appid': ['decode', around(JSON.stringify({ ...FIELDS, appid: `TC1${evil}` })), '--expect-appid', 'TC100008'],
    'signature causes and evidence': ['decode', signed(JSON.stringify({ ...FIELDS, user_id: evil })).replace('%7B', '%7B%20'), '--public-key', PLATFORM_PUB],
    'a sign repaired from spaces': ['decode', signed(JSON.stringify({ ...FIELDS, out_trade_no: evil })).replace(/%2B/g, '%20'), '--public-key', PLATFORM_PUB],
  };

  for (const [name, args] of Object.entries(cases)) {
    it(name, async () => {
      const r = await runCli(args);
      expect([0, 1]).toContain(r.code);
      expect(r.stdout.match(CONTROL)?.[0], 'a raw control character in stdout').toBeUndefined();
      expect(r.stderr.match(CONTROL)?.[0], 'a raw control character in stderr').toBeUndefined();
      // The evil text's own newline is escaped too: a value never breaks the report's lines.
      expect(r.stdout).not.toMatch(/^line/m);
      // --json is for machines: there the text is exactly what the pay_info holds.
      expect(json(await runCli([...args.slice(0, 1), '--json', ...args.slice(1)])).valid).toBe(r.code === 0);
    });
  }

  it('decoded values are shown escaped, not dropped', async () => {
    const r = await runCli(cases['field values']!);
    expect(r.stdout).toContain('user_id       \\x1b[2J\\x1b]0;owned\\x07\\u202eevil\\x85\\x0aline');
  });
});
