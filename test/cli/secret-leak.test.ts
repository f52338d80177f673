/**
 * Every command of the CLI, run with known secrets configured (env vars, flags, a tacpay.config.json
 * and key files), in every mode (human, --json, --verbose) and on error paths (missing arguments,
 * secret values that are not keys): no 16-character fragment of any secret may appear in stdout,
 * stderr or any file written under the temp dirs.
 *
 * The commands come from the commander tree itself (buildProgram), so a new command is run here
 * without anyone adding it. Arguments come from ARGS by name; an unknown argument gets "x", which
 * at least runs the command's error path.
 *
 * Not scanned, on purpose: sandbox.db* (the sandbox stores each merchant's offerKey and keys, that
 * is its job), the files the test itself wrote (the configured secrets' own files), and files the
 * user explicitly asked for (`keys generate --out`, `sandbox keys --dotenv`). `tacpay sandbox keys`
 * prints a sandbox merchant's credentials on request (the documented exception), so the merchant
 * offerKey registered with `sandbox merchant add` is not looked for in that command's output.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { BIN, ROOT, TEST_CACHE_HOME, tempDir } from '../helpers/cli.js';

const FRAGMENT = 16;

// ---- the grep ----

interface Secret {
  name: string;
  /** Every FRAGMENT-character window that must never be printed. */
  windows: Set<string>;
}

function windowsOf(text: string, into = new Set<string>()): Set<string> {
  for (let i = 0; i + FRAGMENT <= text.length; i++) into.add(text.slice(i, i + FRAGMENT));
  return into;
}

/** A plain secret (an offerKey, a value that is no key): every window of it, as is. */
function plainSecret(name: string, value: string): Secret {
  return { name, windows: windowsOf(value) };
}

/**
 * A private key: windows of the Base64 of its private part (from the private exponent on), in
 * PKCS#8 and PKCS#1 and in both Base64 alphabets. The public modulus before it may be printed.
 */
function keySecret(name: string, key: KeyObject): Secret {
  const d = Buffer.from((key.export({ format: 'jwk' }) as JsonWebKey).d!, 'base64url');
  const windows = new Set<string>();
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    const der = key.export({ type, format: 'der' });
    const from = Math.ceil(der.indexOf(d) / 3) * 4;
    const b64 = der.toString('base64').slice(from);
    windowsOf(b64, windows);
    windowsOf(b64.replace(/\+/g, '-').replace(/\//g, '_'), windows);
  }
  return { name, windows };
}

/** The forms a secret may be printed in: as is, re-wrapped, JSON-escaped, percent-encoded. */
function haystacks(text: string): string[] {
  const flat = text.replace(/\\[rn]/g, '').replace(/\s+/g, '');
  let decoded = flat;
  try {
    decoded = decodeURIComponent(flat.replace(/\+/g, '%2B'));
  } catch {
    decoded = flat.replace(/%2B/gi, '+').replace(/%2F/gi, '/').replace(/%3D/gi, '=');
  }
  return [text, flat, decoded];
}

interface Hit {
  secret: string;
  fragment: string;
}

/** The secrets found in `text`, one hit per secret. */
export function findSecrets(text: string, secrets: readonly Secret[]): Hit[] {
  const hits: Hit[] = [];
  for (const s of secrets) {
    search: for (const hay of haystacks(text)) {
      for (let i = 0; i + FRAGMENT <= hay.length; i++) {
        const w = hay.slice(i, i + FRAGMENT);
        if (s.windows.has(w)) {
          hits.push({ secret: s.name, fragment: w });
          break search;
        }
      }
    }
  }
  return hits;
}

// ---- the commands ----

/** Leaf commands of the real commander tree, with their arguments and long options. */
interface Leaf {
  path: string[];
  args: Array<{ name: string; required: boolean }>;
  options: Set<string>;
}

function leaves(): Leaf[] {
  const sink = { write: () => true, isTTY: false };
  const program = buildProgram({ io: { stdout: sink, stderr: sink, stdinIsTTY: false, env: {}, cwd: process.cwd(), stdin: process.stdin }, exitCode: 0 });
  const out: Leaf[] = [];
  const walk = (c: Command, path: string[]): void => {
    if (c.commands.length === 0 && path.length > 0) {
      out.push({
        path,
        args: c.registeredArguments.map((a) => ({ name: a.name(), required: a.required })),
        options: new Set(c.options.map((o) => o.long).filter((l): l is string => Boolean(l))),
      });
    }
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

/** Commands that run until stopped: they get a short time, then are killed; their output still counts. */
const BLOCKING = new Set(['sandbox start', 'listen', 'simulate notify']);

interface Run {
  id: string;
  leaf: string;
  config: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  code: number | null;
  stdout: string;
  stderr: string;
  killed: boolean;
}

function spawnRun(argv: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<Omit<Run, 'id' | 'leaf' | 'config' | 'argv' | 'env' | 'cwd'>> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, killed });
    });
    child.stdin.on('error', () => {});
    child.stdin.end('');
  });
}

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

// ---- the fixture ----

const root = tempDir('tacpay-leak-');
const dirs = {
  home: join(root, 'home'),
  data: join(root, 'data'),
  config: join(root, 'config'),
  project: join(root, 'project'),
  empty: join(root, 'empty'),
  sandbox: join(root, 'sandbox'),
  keysOut: join(root, 'keys-out'),
  dotenv: join(root, 'dotenv'),
  /** A copy of an app project for doctor to check. */
  app: join(root, 'app'),
};
const inputs = { keyA: join(dirs.project, 'keys', 'merchant.key.pem'), pubA: join(dirs.project, 'keys', 'merchant.pub.pem'), keyB64: join(dirs.project, 'keys', 'other.key.b64'), config: join(dirs.project, 'tacpay.config.json') };

const keyA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pemA = keyA.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pemB = keyB.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const b64B = keyB.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const OFFER_ENV = 'EnvOfferKey7Qz3Lp9Xw2Rt5Yu8Io1Pa4';
const OFFER_FILE = 'FileOfferKey4Mn6Bv8Cx0Za2Sd4Fg6Hj';
const OFFER_FLAG = 'FlagOfferKey9Kl7Jh5Gf3Ds1Aq8Wz6Xe';
const MERCHANT_OFFER = 'SbxMerchantKey2Tg4Yh6Uj8Ik0Ol3Pm5';
const NOT_A_KEY = 'nOtAkEy_9f8e7d6c5b4a-3210ZyXwVuTsRqPoNmLk';
/** An offerKey no API accepts (spaces): its validation errors must not quote it either. */
const BAD_OFFER = 'Bad Offer Key 7Qz3Lp9Xw2Rt5Yu8 With Spaces';

/** Values of a private-key option that are not (or not quite) a key: each is a secret too. */
const BAD_PRIVATE_KEYS: Record<string, string> = {
  'url-safe Base64': b64B.replace(/\+/g, '-').replace(/\//g, '_'),
  'a prefixed paste': `TACPAY_PRIVATE_KEY=${b64B.slice(0, 900)}`,
  'an offerKey': OFFER_ENV,
  'no key at all': NOT_A_KEY,
  'a PEM flattened onto one line': pemB.replace(/\n/g, ' '),
  'a PEM with literal \\n': pemB.replace(/\n/g, '\\n'),
  'a truncated bare Base64 key': b64B.slice(0, 700),
  'a PEM whose body is cut': pemB.slice(0, 400) + '\n-----END RSA PRIVATE KEY-----\n',
};

const SECRETS: Secret[] = [
  keySecret('private key A (key file)', keyA.privateKey),
  keySecret('private key B (inline)', keyB.privateKey),
  plainSecret('offerKey (env)', OFFER_ENV),
  plainSecret('offerKey (config file)', OFFER_FILE),
  plainSecret('offerKey (flag)', OFFER_FLAG),
  plainSecret('merchant offerKey (sandbox merchant add)', MERCHANT_OFFER),
  plainSecret('a value that is no key', NOT_A_KEY),
  plainSecret('an offerKey with spaces', BAD_OFFER),
];

let api: Server;
let apiUrl = '';

/** Argument values by argument name; each command's positionals are filled from here. */
function argValues(leaf: Leaf): string[][] {
  const byName: Record<string, string[][]> = {
    pay_info: [['data=%7B%22appid%22%3A%22TC100008%22%7D&sign=AAAA']],
    file: [[inputs.keyA], [inputs.keyB64], [pemB], [NOT_A_KEY], [BAD_PRIVATE_KEYS['url-safe Base64']!], [BAD_PRIVATE_KEYS['a prefixed paste']!], [BAD_PRIVATE_KEYS['a PEM flattened onto one line']!]],
    private: [[inputs.keyA, inputs.pubA], [pemB, inputs.pubA], [NOT_A_KEY, inputs.pubA]],
    offerId: [['TC100099', 'http://127.0.0.1:9/notify']],
    out_trade_no: [['leak_order_1']],
    result: [['success']],
    'name|file': [['no-such-scenario']],
    dir: [[dirs.app]],
    shell: [['bash']],
  };
  const first = leaf.args[0];
  if (!first) return [[]];
  // keys match and merchant set-notify take two positionals, filled together under the first name.
  return byName[first.name] ?? [leaf.args.map(() => 'x')];
}

/** Options that make a command do its real work here rather than stop at a usage error. */
function extraFlags(leaf: Leaf): string[] {
  const name = leaf.path.join(' ');
  const out: string[] = [];
  if (leaf.options.has('--data')) out.push('--data', dirs.sandbox);
  else if (leaf.options.has('--sandbox-dir')) out.push('--sandbox-dir', dirs.sandbox);
  if (leaf.options.has('--port')) out.push('--port', '0');
  if (leaf.options.has('--timeout') && name !== 'sandbox stop') out.push('--timeout', '3');
  if (leaf.options.has('--retries')) out.push('--retries', '0');
  if (name === 'sign') out.push('--param', 'amount=1', '--param', 'user_id=leakuser1');
  if (name === 'keys generate') out.push('--out', join(dirs.keysOut, `k${Math.random().toString(36).slice(2)}`));
  if (name === 'sandbox merchant add') out.push('--offer-id', `TC1${Math.floor(Math.random() * 90000 + 10000)}`, '--offer-key', MERCHANT_OFFER);
  if (name === 'sandbox keys') out.push('--dotenv', join(dirs.dotenv, `e${Math.random().toString(36).slice(2)}.env`));
  if (name === 'sandbox reset') out.push('--yes');
  if (name === 'simulate scenario') out.push('--list');
  if (name === 'order query' || name === 'order close' || name === 'refund create') out.push('--out-trade-no', 'leak_order_1');
  if (name === 'refund create') out.push('--amount', '1', '--refund-id', 'rf_leak');
  if (name === 'refund query') out.push('--refund-id', 'rf_leak');
  if (name.startsWith('account ')) out.push('--account', 'TC100008_001', '--user-id', 'leakuser1', ...(leaf.options.has('--billno') ? ['--billno', 'b1'] : []), ...(leaf.options.has('--amt') ? ['--amt', '1'] : []));
  return out;
}

function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NO_COLOR: '1',
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: TEST_CACHE_HOME,
  };
}

const MODES: Record<string, string[]> = { human: [], json: ['--json'], verbose: ['--verbose'] };

interface Plan {
  leaf: string;
  config: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * The runs, kept to about 150 so that the file stays well under a minute on two cores: every command
 * runs once in each mode, and the three configurations (secrets in env, in tacpay.config.json and key
 * files, as flags) rotate over the modes from one command to the next, so each configuration meets
 * each mode. Secret values that are not keys go through the commands that load keys from each source.
 */
function plan(all: Leaf[]): Plan[] {
  const plans: Plan[] = [];
  const creds = { TACPAY_OFFER_ID: 'TC100008', TACPAY_BASE_URL: apiUrl };
  // The project's config file holds offerKey and a key path; the env's offerKey beats the file's, which is still read.
  const configs = [
    { name: 'secrets in env', env: { ...baseEnv(), ...creds, TACPAY_OFFER_KEY: OFFER_ENV, TACPAY_PRIVATE_KEY: pemB }, cwd: dirs.empty, flags: [] as string[] },
    { name: 'secrets in tacpay.config.json and key files', env: { ...baseEnv(), TACPAY_OFFER_KEY: OFFER_ENV }, cwd: dirs.project, flags: [] as string[] },
    { name: 'secrets as flags', env: { ...baseEnv(), ...creds }, cwd: dirs.empty, flags: ['--offer-key', OFFER_FLAG, '--private-key', pemB] },
  ];
  const secretFlags = (leaf: Leaf, flags: string[]) => {
    const out: string[] = [];
    for (let i = 0; i < flags.length; i += 2) if (leaf.options.has(flags[i]!) && !(leaf.path.join(' ') === 'sandbox merchant add' && flags[i] === '--offer-key')) out.push(flags[i]!, flags[i + 1]!);
    return out;
  };
  all.forEach((leaf, n) => {
    const name = leaf.path.join(' ');
    const sets = argValues(leaf);
    Object.entries(MODES).forEach(([mode, modeFlags], m) => {
      const c = configs[(n + m) % configs.length]!;
      for (const args of mode === 'json' ? sets : sets.slice(0, 1)) {
        plans.push({ leaf: name, config: `${c.name}, ${mode}`, argv: [...modeFlags, ...leaf.path, ...args, ...extraFlags(leaf), ...secretFlags(leaf, c.flags)], env: c.env, cwd: c.cwd });
      }
    });
    // Missing arguments: the usage error path.
    if (leaf.args.some((a) => a.required)) plans.push({ leaf: name, config: 'secrets in env, missing arguments, json', argv: ['--json', ...leaf.path], env: configs[0]!.env, cwd: dirs.empty });
  });
  // Secret values that are not (quite) keys, in TACPAY_PRIVATE_KEY and in --private-key.
  const byName = new Map(all.map((l) => [l.path.join(' '), l]));
  Object.entries(BAD_PRIVATE_KEYS).forEach(([label, value], i) => {
    const mode = i % 2 === 0 ? 'human' : 'json';
    for (const name of ['sign', 'order create', 'doctor', 'config list']) {
      const leaf = byName.get(name);
      if (!leaf) continue;
      const env = { ...baseEnv(), ...creds, TACPAY_OFFER_KEY: OFFER_ENV, TACPAY_PRIVATE_KEY: value };
      plans.push({ leaf: name, config: `TACPAY_PRIVATE_KEY is ${label}, ${mode}`, argv: [...MODES[mode]!, ...leaf.path, ...(name === 'doctor' ? [dirs.app] : []), ...extraFlags(leaf)], env, cwd: dirs.empty });
    }
    for (const name of ['sign', 'order create']) {
      const leaf = byName.get(name);
      if (!leaf) continue;
      plans.push({ leaf: name, config: `--private-key is ${label}, ${mode === 'json' ? 'human' : 'json'}`, argv: [...MODES[mode === 'json' ? 'human' : 'json']!, ...leaf.path, ...extraFlags(leaf), '--private-key', value], env: { ...baseEnv(), ...creds, TACPAY_OFFER_KEY: OFFER_ENV }, cwd: dirs.empty });
    }
  });
  // offerKeys that are odd: with spaces around, and given where the private key belongs.
  const merchantAdd = byName.get('sandbox merchant add');
  if (merchantAdd) {
    const flags = extraFlags(merchantAdd);
    flags.splice(flags.indexOf('--offer-key'), 2);
    for (const mode of ['human', 'json']) plans.push({ leaf: 'sandbox merchant add', config: `--offer-key is not a valid offerKey, ${mode}`, argv: [...MODES[mode]!, 'sandbox', 'merchant', 'add', ...flags, '--offer-key', BAD_OFFER], env: baseEnv(), cwd: dirs.empty });
  }
  plans.push({ leaf: 'order create', config: 'TACPAY_OFFER_KEY has spaces, json', argv: ['--json', 'order', 'create', ...extraFlags(byName.get('order create')!)], env: { ...baseEnv(), ...creds, TACPAY_OFFER_KEY: BAD_OFFER, TACPAY_PRIVATE_KEY: pemB }, cwd: dirs.empty });
  plans.push({ leaf: 'sign', config: '--offer-key with spaces, json', argv: ['--json', 'sign', ...extraFlags(byName.get('sign')!), '--offer-key', ` ${OFFER_FLAG} `, '--private-key', inputs.keyA], env: baseEnv(), cwd: dirs.empty });
  return plans;
}

/**
 * Leaks this suite found when it was written, each with the file that was changed to fix it. The
 * runs that showed each are checked again by name below, so a leak that comes back is reported as
 * that leak (they are in the main check too).
 */
const FIXED_LEAKS: Array<{ what: string; file: string; matches: (r: Run) => boolean }> = [
  {
    what: 'a TACPAY_PRIVATE_KEY / --private-key value that is neither a key isInlineKey recognises nor a file is echoed whole as "private key file <value> does not exist" (sign, order, refund, account: loadKeyWithNotes there still decides by isInlineKey and readUserFile; src/cli/key-input.ts has the replacement)',
    file: 'src/cli/input.ts',
    matches: (r) => /^(sign|order |refund |account )/.test(r.leaf) && /^(TACPAY_PRIVATE_KEY|--private-key) is /.test(r.config),
  },
  {
    what: 'doctor\'s loadKeyEntry echoes a privateKey value that is not a file: "privateKey (from TACPAY_PRIVATE_KEY): cannot read <value> (ENOENT)", human and --json',
    file: 'src/cli/commands/doctor/config-inputs.ts',
    matches: (r) => r.leaf === 'doctor' && /^TACPAY_PRIVATE_KEY is /.test(r.config),
  },
  {
    what: 'a positional argument that starts with "-" (a PEM flattened onto one line, given to keys inspect) is echoed whole in commander\'s "unknown option \'<value>\'" error',
    file: 'src/cli/main.ts (report(): the CommanderError message)',
    matches: (r) => r.leaf === 'keys inspect' && r.argv.includes(BAD_PRIVATE_KEYS['a PEM flattened onto one line']!),
  },
];

const runs: Run[] = [];
let leafList: Leaf[] = [];
let elapsedMs = 0;

beforeAll(async () => {
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  cpSync(join(ROOT, 'fixtures/projects/android-native/good'), dirs.app, { recursive: true });
  mkdirSync(join(dirs.project, 'keys'), { recursive: true });
  writeFileSync(inputs.keyA, pemA, { mode: 0o600 });
  writeFileSync(inputs.pubA, keyA.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  writeFileSync(inputs.keyB64, b64B, { mode: 0o600 });
  api = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(JSON.stringify({ ret: 1001, msg: 'sign error (fake API of the leak test)' }));
    });
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()));
  const address = api.address();
  apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  writeFileSync(inputs.config, JSON.stringify({ offerId: 'TC100008', offerKey: OFFER_FILE, privateKey: 'keys/merchant.key.pem', baseUrl: apiUrl }), { mode: 0o600 });

  leafList = leaves();
  const plans = plan(leafList);
  const started = Date.now();
  await pool(plans, 4, async (p) => {
    const r = await spawnRun(p.argv, p.env, p.cwd, BLOCKING.has(p.leaf) ? 2500 : 15000);
    runs.push({ id: `tacpay ${p.argv.map((a) => (a.length > 40 ? `<${a.length} chars>` : a)).join(' ')} [${p.config}]`, ...p, ...r });
  });
  elapsedMs = Date.now() - started;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => api.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

/** Secrets a run must not print: all of them, except the sandbox merchant offerKey in `sandbox keys`. */
function secretsFor(r: Run): Secret[] {
  return r.leaf === 'sandbox keys' ? SECRETS.filter((s) => !s.name.startsWith('merchant offerKey')) : SECRETS;
}

function leaksOf(r: Run): string[] {
  return findSecrets(r.stdout + '\n' + r.stderr, secretsFor(r)).map((h) => `${r.id}\n    exit ${r.code}: ${h.secret} (fragment ${h.fragment})\n    stdout: ${r.stdout.slice(0, 400)}\n    stderr: ${r.stderr.slice(0, 400)}`);
}


describe('secret leaks: every command, every mode, secrets from env, flags and files', () => {
  it('the grep finds a secret printed whole, re-wrapped, JSON-escaped or percent-encoded, and nothing in clean text', () => {
    const b64 = keyB.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const wrapped = b64.match(/.{1,64}/g)!.join('\n');
    expect(findSecrets(`error: key file ${NOT_A_KEY} does not exist`, SECRETS).map((h) => h.secret)).toEqual(['a value that is no key']);
    expect(findSecrets(`-----BEGIN PRIVATE KEY-----\n${wrapped}\n-----END PRIVATE KEY-----`, SECRETS).map((h) => h.secret)).toEqual(['private key B (inline)']);
    expect(findSecrets(JSON.stringify({ message: `bad: ${pemB}` }), SECRETS).map((h) => h.secret)).toEqual(['private key B (inline)']);
    expect(findSecrets(`sign=${encodeURIComponent(b64.slice(900, 960))}`, SECRETS).map((h) => h.secret)).toEqual(['private key B (inline)']);
    expect(findSecrets(`offerKey ${OFFER_ENV.slice(3, 3 + FRAGMENT)}...`, SECRETS).map((h) => h.secret)).toEqual(['offerKey (env)']);
    expect(findSecrets(`offerKey ${OFFER_ENV.slice(3, 3 + FRAGMENT - 1)}...`, SECRETS)).toEqual([]);
    // The public half is not secret: its key may be printed.
    expect(findSecrets(keyB.publicKey.export({ type: 'spki', format: 'pem' }).toString(), SECRETS)).toEqual([]);
  });

  it('the self-check fails on a deliberately leaking command: the run of an echo of the key is caught', async () => {
    const r = await new Promise<string>((resolvePromise) => {
      const child = spawn(process.execPath, ['-e', 'process.stderr.write("error: private key file " + process.env.TACPAY_PRIVATE_KEY + " does not exist\\n")'], { env: { ...baseEnv(), TACPAY_PRIVATE_KEY: BAD_PRIVATE_KEYS['url-safe Base64']! } });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('close', () => resolvePromise(err));
    });
    expect(findSecrets(r, SECRETS).map((h) => h.secret)).toEqual(['private key B (inline)']);
  });

  it('ran every command of the commander tree', () => {
    const names = leafList.map((l) => l.path.join(' '));
    // A floor, not a list: the tree is the list. These are here so an empty tree cannot pass.
    for (const n of ['order create', 'sign', 'keys inspect', 'doctor', 'sandbox start', 'listen', 'simulate notify', 'config list', 'completion']) expect(names).toContain(n);
    for (const n of names) expect(runs.some((r) => r.leaf === n), n).toBe(true);
    expect(runs.length).toBeGreaterThan(names.length * 4);
    console.log(`secret-leak: ${runs.length} runs of ${names.length} commands in ${(elapsedMs / 1000).toFixed(1)} s`);
  });

  it('no command ran into an internal error or a stack trace', () => {
    const bad = runs.filter((r) => /internal error|\n\s+at [^\n]+:\d+:\d+/.test(r.stderr + r.stdout)).map((r) => `${r.id}\n${r.stderr.slice(0, 600)}`);
    expect(bad).toEqual([]);
  });

  it('no secret in stdout or stderr of any run', () => {
    const leaks = runs.flatMap(leaksOf);
    expect(leaks, leaks.join('\n\n')).toEqual([]);
  });

  for (const k of FIXED_LEAKS) {
    it(`fixed leak stays fixed (${k.file}): ${k.what}`, () => {
      const matching = runs.filter((r) => k.matches(r));
      expect(matching.length).toBeGreaterThan(0);
      expect(matching.flatMap(leaksOf)).toEqual([]);
    });
  }

  it('no secret in any file written under the temp dirs (sandbox.db*, the inputs and explicitly requested files excepted)', () => {
    const skip = new Set([inputs.keyA, inputs.pubA, inputs.keyB64, inputs.config]);
    const found: string[] = [];
    let scanned = 0;
    let stores = 0;
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (/^sandbox\.db$/.test(name)) stores++;
        if (p === dirs.keysOut || p === dirs.dotenv || skip.has(p) || /^sandbox\.db/.test(name)) continue;
        const st = statSync(p, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) walk(p);
        else if (st.isFile()) {
          scanned++;
          for (const h of findSecrets(readFileSync(p).toString('latin1'), SECRETS)) found.push(`${p}: ${h.secret} (fragment ${h.fragment})`);
        }
      }
    };
    walk(root);
    expect(found).toEqual([]);
    // The walk reached what the commands wrote: the sandbox's stores at least (skipped, as said).
    expect(stores).toBeGreaterThan(0);
    console.log(`secret-leak: scanned ${scanned} written files besides ${stores} sandbox store(s)`);
  });
});
