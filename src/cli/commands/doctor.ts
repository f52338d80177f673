/**
 * `tacpay doctor [dir]`: the troubleshooting checklist (spec §4.7) run against the project's iOS
 * and Android files, the tacpay config, and optionally a pay_info and a device log. The command
 * resolves inputs (paths, config, keys) and renders; the doctor itself (src/doctor, with its XML,
 * plist and pbxproj parsers) is imported only when this command runs.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { envName, type ConfigKey } from '../../config/options.js';
import { ConfigFileError, resolveConfig, type ConfigValue } from '../../config/resolve.js';
import type { Ctx, GlobalFlags } from '../context.js';
import { EXIT } from '../errors.js';
import { TacpayError, UsageError } from '../../errors.js';
import { action, examples, type App } from '../kit.js';
import { writableOf, writeJson } from '../output.js';
import { inert } from '../../core/inert.js';
import type { ExplicitPaths } from '../../doctor/gather.js';
import type { KeyEntry, PlatformIds, Snapshot } from '../../doctor/types.js';

export interface DoctorOptions {
  iosPlist?: string;
  pbxproj?: string;
  entitlements?: string;
  androidManifest?: string;
  gradle?: string;
  tacConfig?: string[];
  payInfo?: string;
  log?: string;
  offerId?: string;
  wechatAppId?: string;
  qqAppId?: string;
  strict?: boolean;
  skip?: string[];
  fix?: boolean;
  yes?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const safe = (t: string) => inert(t);

/** Every string in a JSON document made inert: project files can hold control and bidi characters JSON.stringify leaves raw. */
function inertDeep<T>(value: T): T {
  if (typeof value === 'string') return inert(value) as T;
  if (Array.isArray(value)) return value.map(inertDeep) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inertDeep(v)])) as T;
  return value;
}

async function kindOf(p: string): Promise<'file' | 'dir' | undefined> {
  try {
    // node:fs/promises loads here, not at start-up (every command would pay for it).
    const { stat } = await import('node:fs/promises');
    const s = await stat(p);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** An explicit path must name an existing file: a usage error otherwise (no stack, exit 2). */
async function fileArg(ctx: Ctx, flag: string, value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const abs = resolve(ctx.cwd, value);
  const k = await kindOf(abs);
  if (k === undefined) throw new UsageError(`${flag} ${inert(value, { singleLine: true })}: no such file`, 'check the path (relative paths start from the current directory)');
  if (k === 'dir') throw new UsageError(`${flag} ${inert(value, { singleLine: true })} is a directory, not a file`, 'give the path of the file itself');
  return abs;
}

interface ResolvedInputs {
  config: Snapshot['config'];
  /** doctor.skip from the project config file. */
  configSkip: string[];
}

/** Config for the project directory: its own tacpay.config.json (searched upwards from it) unless --config is given. */
async function resolveInputs(ctx: Ctx, root: string, globals: GlobalFlags, opts: DoctorOptions): Promise<ResolvedInputs> {
  const flags: Partial<Record<ConfigKey, string | undefined>> = { offerId: opts.offerId, wechatAppId: opts.wechatAppId, qqAppId: opts.qqAppId };
  const values: Partial<Record<ConfigKey, ConfigValue>> = {};
  let file: string | undefined;
  let fileError: string | undefined;
  try {
    const r = resolveConfig({ flags, env: ctx.env, cwd: root, ...(globals.config ? { configFile: globals.config } : {}), ...(globals.profile ? { profile: globals.profile } : {}) });
    Object.assign(values, r.values);
    file = r.files.project;
    for (const w of r.warnings) ctx.warn(w);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    // A broken config file is a finding (config.file), not the end of the run: flags and env still count.
    fileError = err.message;
    for (const k of ['offerId', 'offerKey', 'privateKey', 'platformPublicKey', 'wechatAppId', 'qqAppId'] as const) {
      const v = flags[k] ?? (ctx.env[envName(k)] || undefined);
      if (v !== undefined) values[k] = { value: v, source: flags[k] !== undefined ? 'flag' : 'env', origin: flags[k] !== undefined ? `--${k}` : envName(k), baseDir: ctx.cwd };
    }
  }
  // Origins are shown relative to the project (or the current) directory when they are files there.
  const shown = (p: string) => {
    for (const base of [root, ctx.cwd]) {
      const rel = relative(base, p);
      if (isAbsolute(p) && rel && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split('\\').join('/');
    }
    return p;
  };
  for (const v of Object.values(values)) if (v) v.origin = shown(v.origin);
  const entry = (k: ConfigKey) => (values[k] ? { value: values[k]!.value, origin: values[k]!.origin } : undefined);
  const config: Snapshot['config'] = {
    ...(file ? { file } : {}),
    ...(fileError ? { fileError } : {}),
  };
  for (const k of ['offerId', 'wechatAppId', 'qqAppId', 'offerKey'] as const) {
    const e = entry(k);
    if (e) config[k] = e;
  }
  if (values.privateKey) {
    const { key, path } = await loadKeyEntry(values.privateKey);
    config.privateKey = key;
    const sibling = path?.replace(/\.key\.(?:pem|b64)$/, '.pub.pem');
    if (sibling && sibling !== path && (await kindOf(sibling)) === 'file') config.merchantPublicKey = (await loadKeyEntry({ ...values.privateKey, value: sibling, origin: shown(sibling) })).key;
  }
  if (values.platformPublicKey) config.platformPublicKey = (await loadKeyEntry(values.platformPublicKey)).key;

  const configSkip: string[] = [];
  if (file && !fileError) {
    try {
      const { readBounded, CAPS } = await import('../../doctor/index.js');
      const doc = JSON.parse((await readBounded(file, CAPS.config)).toString('utf8')) as { doctor?: { skip?: unknown }; ios?: unknown; android?: unknown };
      const list = doc.doctor?.skip;
      if (list !== undefined) {
        if (Array.isArray(list) && list.every((x) => typeof x === 'string')) configSkip.push(...list);
        else ctx.warn(`${file}: doctor.skip must be a list of check ids; ignored`);
      }
      for (const platform of ['ios', 'android'] as const) {
        const ids = platformIds(ctx, file, platform, doc[platform], shown(file), flags);
        if (ids) config[platform] = ids;
      }
    } catch {
      /* resolveConfig read it a moment ago; a race is not worth failing over */
    }
  }
  return { config, configSkip };
}

/** `"ios": {"offerId": ..., "wechatAppId": ..., "qqAppId": ...}`: a platform's own ids; a command-line flag still wins. */
function platformIds(ctx: Ctx, file: string, platform: 'ios' | 'android', section: unknown, shownFile: string, flags: Partial<Record<ConfigKey, string | undefined>>): PlatformIds | undefined {
  if (section === undefined) return undefined;
  if (!section || typeof section !== 'object' || Array.isArray(section)) {
    ctx.warn(`${file}: "${platform}" must be an object such as {"offerId": "TC100008"}; ignored`);
    return undefined;
  }
  const out: PlatformIds = {};
  for (const [k, v] of Object.entries(section)) {
    if (k !== 'offerId' && k !== 'wechatAppId' && k !== 'qqAppId') {
      ctx.warn(`${file}: unknown key "${k}" in "${platform}" ignored (known: offerId, wechatAppId, qqAppId)`);
      continue;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      ctx.warn(`${file}: "${platform}.${k}" must be a string; ignored`);
      continue;
    }
    // Precedence as for every option: a flag or a TACPAY_* variable beats the file, per-platform or not.
    if (flags[k] === undefined && !ctx.env[envName(k)]) out[k] = { value: String(v), origin: `${shownFile} (${platform})` };
  }
  return out;
}

/** A key from config (inline or a file), judged but never fatal: problems become findings. */
async function loadKeyEntry(spec: ConfigValue): Promise<{ key: KeyEntry; path?: string }> {
  const { classifyKeyValue, unusableKeyValue } = await import('../key-input.js');
  const { parseKey, knownKey } = await import('../../core/keys.js');
  const origin = spec.origin;
  let input: string | Buffer = spec.value;
  let path: string | undefined;
  const form = await classifyKeyValue(spec.value, spec.baseDir);
  if (form.form === 'not-file') {
    // Not a file: key text, or an error that describes the value (it may be a secret) without quoting it.
    const asText = parseKey(spec.value, 'any');
    if (!asText.value) return { key: { origin, error: (await unusableKeyValue('the value', spec, form, asText.issues.find((i) => i.severity === 'error'), { origin: false })).message } };
  } else if (form.form === 'file') {
    path = form.path;
    // Named by a project's config file: a FIFO or /dev/zero there must not hang the run or fill memory.
    const { readBounded, Refused, CAPS } = await import('../../doctor/index.js');
    try {
      input = await readBounded(path, CAPS.config);
    } catch (err) {
      return { key: { origin, error: err instanceof Refused ? `${spec.value}: ${err.reason}` : `cannot read ${spec.value} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }, path };
    }
  }
  // 'any': a key of the wrong kind is still described (config.private-key says what it is).
  const parsed = parseKey(input, 'any');
  if (!parsed.value) return { key: { origin, error: parsed.issues.find((i) => i.severity === 'error')?.message ?? 'not a usable key' }, ...(path ? { path } : {}) };
  const k = parsed.value;
  const known = knownKey(k.fingerprint);
  return {
    key: { origin, kind: k.kind, bits: k.bits, fingerprint: k.fingerprint, publicKey: k.publicKey, ...(known ? { known } : {}), ...(path ? { file: path } : {}) },
    ...(path ? { path } : {}),
  };
}

export function registerDoctor(program: Command, app: App): void {
  const cmd = program
    .command('doctor')
    .argument('[dir]', 'project directory (native iOS, native Android, React Native or Flutter)', '.')
    .description('check an app project for the TAC payment setup: URL schemes, manifest, Gradle, TAC config files, keys, pay_info and logs')
    .option('--ios-plist <file>', 'Info.plist to check (instead of the one the Xcode project names)')
    .option('--pbxproj <file>', 'project.pbxproj to check')
    .option('--entitlements <file>', '.entitlements file to check')
    .option('--android-manifest <file>', 'AndroidManifest.xml to check')
    .option('--gradle <file>', 'app module build.gradle(.kts) to check')
    .option('--tac-config <file>', 'TAC config file (tac_services_configurations*.plist or tac_service_configurations*.json); repeatable, replaces discovery', collect)
    .option('--pay-info <s>', 'a pay_info to check (- reads it from stdin)')
    .option('--log <file>', 'a device or console log to scan for init errors, error codes and reused orders')
    .option('--offer-id <id>', 'offerId to compare with (default: from config)')
    .option('--wechat-app-id <id>', 'WeChat AppID to compare with (default: from config)')
    .option('--qq-app-id <id>', 'QQ AppID to compare with (default: from config)')
    .option('--strict', 'warnings count as failures (exit 1)')
    .option('--skip <id>', 'do not run this check (a check id, or a category); repeatable; also doctor.skip in tacpay.config.json', collect)
    .option('--fix', 'make the mechanical fixes (URL schemes, query schemes, <queries>, permissions) in XML plists and AndroidManifest.xml; shows the diff first')
    .option('-y, --yes', 'with --fix: write without asking');
  cmd.action(
    action<DoctorOptions>(app, async (opts, ctx, args) => {
      const globals = cmd.optsWithGlobals() as GlobalFlags;
      if (opts.yes && !opts.fix) throw new UsageError('--yes only applies to --fix', 'add --fix, or drop --yes');
      const dirArg = args[0] ?? '.';
      const root = resolve(ctx.cwd, dirArg);
      const kind = await kindOf(root);
      if (kind === undefined) throw new UsageError(`directory ${inert(dirArg, { singleLine: true })} does not exist`, 'give the project directory (the one holding ios/, android/, an .xcodeproj or build.gradle)');
      if (kind !== 'dir') throw new UsageError(`${inert(dirArg, { singleLine: true })} is not a directory`, 'give the project directory; single files go to --ios-plist, --android-manifest, --gradle ...');

      const tac = await Promise.all((opts.tacConfig ?? []).map((p) => fileArg(ctx, '--tac-config', p)));
      for (const [i, p] of tac.entries()) {
        if (!/\.(plist|json)$/i.test(p!)) throw new UsageError(`--tac-config ${inert(opts.tacConfig![i]!, { singleLine: true })} is neither a .plist (iOS) nor a .json (Android)`, 'give tac_services_configurations*.plist or tac_service_configurations*.json');
      }
      const paths: ExplicitPaths = {
        ...(opts.iosPlist ? { iosPlist: await fileArg(ctx, '--ios-plist', opts.iosPlist) } : {}),
        ...(opts.pbxproj ? { pbxproj: await fileArg(ctx, '--pbxproj', opts.pbxproj) } : {}),
        ...(opts.entitlements ? { entitlements: await fileArg(ctx, '--entitlements', opts.entitlements) } : {}),
        ...(opts.androidManifest ? { androidManifest: await fileArg(ctx, '--android-manifest', opts.androidManifest) } : {}),
        ...(opts.gradle ? { gradle: await fileArg(ctx, '--gradle', opts.gradle) } : {}),
        ...(tac.some((p) => /\.plist$/i.test(p!)) ? { tacPlists: tac.filter((p) => /\.plist$/i.test(p!)) as string[] } : {}),
        ...(tac.some((p) => /\.json$/i.test(p!)) ? { tacJsons: tac.filter((p) => /\.json$/i.test(p!)) as string[] } : {}),
      };
      const logFile = await fileArg(ctx, '--log', opts.log);
      let payInfo = opts.payInfo;
      if (payInfo === '-') {
        const { readStdin } = await import('../input.js');
        payInfo = (await readStdin(ctx, 'pay_info')).toString('utf8').replace(/\r?\n$/, '');
      }

      const doctor = await import('../../doctor/index.js');
      const known = doctor.skippable(doctor.CHECKS);
      for (const id of opts.skip ?? []) {
        if (!known.has(id)) throw new UsageError(`--skip ${inert(id, { singleLine: true })}: no such check`, `check ids look like ios.wechat-url-scheme; categories: config, ios, android, pay_info, log, manual (tacpay doctor --json lists every id)`);
      }
      const { config, configSkip } = await resolveInputs(ctx, root, globals, opts);
      const skip = new Map<string, string>();
      const addSkip = (id: string, why: string) => {
        const cat = doctor.CHECKS.filter((c) => c.category === id);
        for (const c of cat.length ? cat : doctor.CHECKS.filter((c) => c.id === id)) if (!skip.has(c.id)) skip.set(c.id, why);
      };
      for (const id of configSkip) {
        if (!known.has(id)) ctx.warn(`doctor.skip in ${config.file}: no check ${JSON.stringify(id)}; ignored`);
        else addSkip(id, 'doctor.skip in tacpay.config.json');
      }
      for (const id of opts.skip ?? []) addSkip(id, '--skip');

      const input = { root, paths, config, ...(payInfo !== undefined ? { payInfo } : {}), ...(logFile ? { logFile } : {}) };
      const runOpts = { strict: Boolean(opts.strict), skip };
      const first = await doctor.runDoctor(input, runOpts);
      const render = { color: ctx.color, verbose: ctx.verbose, safe };
      const none = doctor.noProject(first.snapshot, dirArg);
      if (none && payInfo === undefined && !logFile) throw new TacpayError(inert(none.message, { singleLine: true }), inert(none.hint, { singleLine: true }));

      if (!opts.fix) {
        if (ctx.json) writeJson(ctx.stdout, inertDeep(first.report));
        else ctx.stdout.write(doctor.renderReport(first.report, render));
        return first.report.exitCode;
      }

      const plan = await doctor.planFixes(first.findings, first.snapshot);
      const planJson = {
        edits: plan.edits.map((e) => ({ path: e.path, changes: e.changes, checks: e.checks, diff: e.diff })),
        refused: plan.refused,
      };
      if (!ctx.json) {
        ctx.stdout.write(doctor.renderReport(first.report, render));
        ctx.stdout.write(doctor.renderFixPlan(plan, render));
      }
      if (!plan.edits.length) {
        if (ctx.json) writeJson(ctx.stdout, inertDeep({ ...first.report, fix: { ...planJson, written: [] } }));
        return first.report.exitCode;
      }
      let go = Boolean(opts.yes);
      if (!go && ctx.interactive) {
        const { default: confirm } = (await ctx.importModule('@inquirer/confirm')) as typeof import('@inquirer/confirm');
        go = await confirm(
          { message: `Write ${plan.edits.length === 1 ? 'this change' : `these changes to ${plan.edits.length} files`}?`, default: false },
          { input: ctx.stdin as NodeJS.ReadableStream, output: writableOf(ctx.stderr) },
        );
      }
      if (!go) {
        const why = opts.yes || ctx.interactive ? 'not confirmed' : 'no terminal to confirm on and no --yes';
        if (ctx.json) writeJson(ctx.stdout, inertDeep({ ...first.report, exitCode: EXIT.failed, fix: { ...planJson, written: [], notWritten: why } }));
        else ctx.stderr.write(`${ctx.colorErr.yellow('nothing was written')} (${why}); run again with --fix --yes to write these changes\n`);
        return EXIT.failed;
      }
      const written: string[] = [];
      for (const e of plan.edits) {
        try {
          await doctor.applyEdit(e, root);
          written.push(e.path);
        } catch (err) {
          const already = written.length ? `; already written: ${written.join(', ')}` : '';
          if (err instanceof doctor.ChangedSinceRead) throw new TacpayError(`${inert(err.message, { singleLine: true })}${already}`, 'run tacpay doctor --fix again: it plans from the file as it is now');
          if (err instanceof doctor.Refused) throw new TacpayError(`${inert(err.reason, { singleLine: true })}${already}`, 'run tacpay doctor on the directory that holds the file');
          throw new TacpayError(`could not write ${inert(e.path, { singleLine: true })} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})${already}`, 'check the file permissions; the file was left as it was');
        }
      }
      // Re-run every check on the rewritten files, so the exit code says how things stand now.
      const after = await doctor.runDoctor(input, runOpts);
      if (ctx.json) {
        writeJson(ctx.stdout, inertDeep({ ...after.report, fix: { ...planJson, written, before: first.report.summary } }));
      } else {
        ctx.stdout.write(`\n${ctx.color.green(`wrote ${written.join(', ')}`)}\n\n${ctx.color.bold('After fixing')}\n`);
        ctx.stdout.write(doctor.renderReport(after.report, render));
      }
      return after.report.exitCode;
    }),
  );
  examples(cmd, [
    'tacpay doctor                                   the project in this directory',
    'tacpay doctor ./MyApp --json                    one JSON document for CI (exit 1 on an error)',
    'tacpay doctor --pay-info "data=...&sign=..."    also judge a pay_info your server made',
    'tacpay doctor --log device.log                  scan a device log for init errors and reused orders',
    'tacpay doctor --strict --skip ios.universal-link',
    'tacpay doctor --fix                             add missing URL schemes, query schemes, <queries> (asks first)',
  ]);
  cmd.addHelpText('after', '\nMarks: ✓ passed  ! warning  ✗ failed  – skipped  ☐ check by hand.\nExit codes: 0 no error-severity check failed, 1 one did (or --fix wrote nothing), 2 usage error.\n');
}
