/**
 * The sandbox a scenario runs against. By default a fresh one in a temp dir (tacpay-scenario-*),
 * removed afterwards. With --sandbox-dir DIR, the sandbox of that data dir: its platform key and
 * default merchant, so a handler configured with that platform public key (tacpay sandbox keys)
 * verifies every notification. A sandbox already serving DIR is used (orders go to it over HTTP and
 * it sends the notifications); otherwise one is started in this process on DIR for the run. DIR's
 * data stays; the merchant's notify URL, pointed at the scenario's handler for the run, is put back.
 *
 * close() is the one clean-up for every way a run ends (passed, failed, an error, SIGINT, SIGTERM):
 * it stops what was started, closes the store and removes a temp dir, and may be called twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MerchantRow, Store } from '../sandbox/store.js';
import { TacpayError } from '../errors.js';
import type { FlowEnv } from './env.js';

export interface ScenarioSandboxOptions {
  /** The data dir (relative to env.cwd); undefined: a fresh temp dir. */
  sandboxDir?: string | undefined;
  keep?: boolean | undefined;
  retryScale: number;
  timeoutMs: number;
}

export interface ScenarioSandbox {
  dir: string;
  /** True for a temp dir this run made (removed by close() unless --keep). */
  temporary: boolean;
  store: Store;
  /** Base URL of the order API the steps call. */
  url: string;
  merchant: MerchantRow;
  platformPublicPem: string;
  /** How the sandbox came to be: a fresh temp one, one running on the dir, or one started here on the dir. */
  kind: 'fresh' | 'running' | 'in-process';
  /** Points the merchant's notify URL at `url` for the run (put back by close() for a --sandbox-dir). */
  setNotifyUrl(url: string): void;
  /** Runs `fn` at close(), before the sandbox stops (the handler, the client). */
  onClose(fn: () => Promise<void> | void): void;
  close(): Promise<void>;
}

/** Runs every clean-up even when one throws; the first error is rethrown after all have run. */
async function runAll(fns: ReadonlyArray<() => Promise<void> | void>): Promise<void> {
  let first: unknown;
  for (const fn of fns) {
    try {
      await fn();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

/** The store of a given data dir (created when missing, with a hint about that), or of the fresh temp dir. */
async function storeFor(dir: string, given: boolean): Promise<Store> {
  if (!given) {
    const { openStore } = await import('../sandbox/store.js');
    return openStore(dir);
  }
  const { openSandboxStore } = await import('../sandbox/index.js');
  try {
    return openSandboxStore(dir, 'create');
  } catch (err) {
    // A hint about what this option does with the dir (it creates a missing one).
    if (err instanceof TacpayError && err.code === 'sandbox-store') throw new TacpayError(err.message, 'give --sandbox-dir a directory (a missing one is created) whose sandbox store this user can write', 'sandbox-store');
    throw err;
  }
}

export async function openScenarioSandbox(o: ScenarioSandboxOptions, env: FlowEnv): Promise<ScenarioSandbox> {
  const { shownDir, storeExists } = await import('../sandbox/index.js');
  const given = o.sandboxDir !== undefined;
  // The temp dir is made here, and every later step is inside the try that removes it.
  const dir = given ? resolve(env.cwd, o.sandboxDir!) : mkdtempSync(join(tmpdir(), 'tacpay-scenario-'));
  const cleanups: Array<() => Promise<void> | void> = [];
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= runAll([
      ...cleanups.splice(0).reverse(),
      () => {
        if (!given && !o.keep) rmSync(dir, { recursive: true, force: true });
      },
    ]));
  try {
    const existed = given && (await storeExists(dir));
    const { findRunning } = await import('../sandbox/runtime.js');
    const running = given ? await findRunning(dir) : undefined;
    const store = await storeFor(dir, given);
    cleanups.push(() => store.close());
    const { ensureDefaultMerchant, ensurePlatformKeys } = await import('../sandbox/merchants.js');
    const platform = ensurePlatformKeys(store);
    ensureDefaultMerchant(store, env.now());
    if (given && !existed) env.note(`created sandbox data at ${shownDir(dir)} (platform key and default merchant; tacpay sandbox keys shows them)`);
    const merchant = store.defaultMerchant()!;
    if (!merchant.private_key_pem) {
      throw new TacpayError(
        `the default merchant ${merchant.offer_id} of the sandbox at ${shownDir(dir)} has no private key in the sandbox (it was registered with --public-key), so the scenario cannot sign its calls`,
        'make a merchant with a stored key the default (tacpay sandbox merchant add ... --default), or use another --sandbox-dir',
        'scenario',
      );
    }
    let url: string;
    let kind: ScenarioSandbox['kind'];
    if (running) {
      url = running.url;
      kind = 'running';
      env.note(`using the sandbox running at ${running.url} (pid ${running.pid}) on ${shownDir(dir)}; it sends the notifications`);
    } else {
      const { startSandbox } = await import('../sandbox/server.js');
      const sandbox = await startSandbox({ store, port: 0, now: () => env.now(), notify: { retryScale: o.retryScale, timeoutMs: o.timeoutMs } });
      cleanups.push(() => sandbox.close());
      url = sandbox.url;
      kind = given ? 'in-process' : 'fresh';
      if (given) env.note(`no sandbox is running on ${shownDir(dir)}: started one in this process for the run (the data stays)`);
    }
    let restore: (() => void) | undefined;
    return {
      dir,
      temporary: !given,
      store,
      url,
      merchant,
      platformPublicPem: platform.publicPem,
      kind,
      setNotifyUrl(to) {
        if (given && !restore) {
          const previous = store.merchant(merchant.offer_id)?.notify_url ?? null;
          restore = () => store.setNotifyUrl(merchant.offer_id, previous);
          // Put back after the sandbox has stopped sending, before the store closes.
          cleanups.splice(1, 0, () => restore!());
        }
        store.setNotifyUrl(merchant.offer_id, to);
      },
      onClose(fn) {
        cleanups.push(fn);
      },
      close,
    };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
