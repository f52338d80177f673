/**
 * `tacpay doctor`'s flags made into a typed request: the directory and every explicit path checked
 * (a usage error, exit 2, when one is missing or of the wrong kind), a pay_info read from stdin for
 * `--pay-info -`, and the --skip ids checked against the check list. Nothing is gathered here.
 */
import { resolve } from 'node:path';
import { inert } from '../../../core/inert.js';
import { CHECKS, skippable, type ExplicitPaths } from '../../../doctor/index.js';
import { UsageError } from '../../../errors.js';
import type { Ctx } from '../../context.js';

/** The flags as commander gives them. */
export interface DoctorFlags {
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

/** What a doctor run is asked to do, every path absolute and checked. */
export interface DoctorRequest {
  /** The directory as typed: messages name it so. */
  dirArg: string;
  /** The project directory, absolute. */
  root: string;
  paths: ExplicitPaths;
  logFile?: string;
  payInfo?: string;
  /** --skip ids, each a known check id or category. */
  skip: string[];
  strict: boolean;
  /** With --fix; `yes`: write without asking. */
  fix?: { yes: boolean };
  /** The ids given as flags (config and TACPAY_* variables fill in the rest). */
  ids: Record<'offerId' | 'wechatAppId' | 'qqAppId', string | undefined>;
}

/** Commander's strings -> the request. Throws UsageError for anything typed wrong. */
export async function parse(flags: DoctorFlags, dirArg: string | undefined, ctx: Ctx): Promise<DoctorRequest> {
  if (flags.yes && !flags.fix) throw new UsageError('--yes only applies to --fix', 'add --fix, or drop --yes');
  const dir = dirArg ?? '.';
  const root = resolve(ctx.cwd, dir);
  const kind = await kindOf(root);
  if (kind === undefined) throw new UsageError(`directory ${inert(dir, { singleLine: true })} does not exist`, 'give the project directory (the one holding ios/, android/, an .xcodeproj or build.gradle)');
  if (kind !== 'dir') throw new UsageError(`${inert(dir, { singleLine: true })} is not a directory`, 'give the project directory; single files go to --ios-plist, --android-manifest, --gradle ...');
  const paths = await explicitPaths(ctx, flags);
  const logFile = await fileArg(ctx, '--log', flags.log);
  let payInfo = flags.payInfo;
  if (payInfo === '-') {
    const { readStdin } = await import('../../input.js');
    payInfo = (await readStdin(ctx, 'pay_info')).toString('utf8').replace(/\r?\n$/, '');
  }
  const known = skippable(CHECKS);
  for (const id of flags.skip ?? []) {
    if (!known.has(id)) throw new UsageError(`--skip ${inert(id, { singleLine: true })}: no such check`, `check ids look like ios.wechat-url-scheme; categories: config, ios, android, pay_info, log, manual (tacpay doctor --json lists every id)`);
  }
  return {
    dirArg: dir,
    root,
    paths,
    ...(logFile ? { logFile } : {}),
    ...(payInfo !== undefined ? { payInfo } : {}),
    skip: flags.skip ?? [],
    strict: Boolean(flags.strict),
    ...(flags.fix ? { fix: { yes: Boolean(flags.yes) } } : {}),
    ids: { offerId: flags.offerId, wechatAppId: flags.wechatAppId, qqAppId: flags.qqAppId },
  };
}

/** --ios-plist, --pbxproj, --entitlements, --android-manifest, --gradle and --tac-config (.plist for iOS, .json for Android). */
async function explicitPaths(ctx: Ctx, flags: DoctorFlags): Promise<ExplicitPaths> {
  const tac = await Promise.all((flags.tacConfig ?? []).map((p) => fileArg(ctx, '--tac-config', p)));
  for (const [i, p] of tac.entries()) {
    if (!/\.(plist|json)$/i.test(p!)) throw new UsageError(`--tac-config ${inert(flags.tacConfig![i]!, { singleLine: true })} is neither a .plist (iOS) nor a .json (Android)`, 'give tac_services_configurations*.plist or tac_service_configurations*.json');
  }
  return {
    ...(flags.iosPlist ? { iosPlist: await fileArg(ctx, '--ios-plist', flags.iosPlist) } : {}),
    ...(flags.pbxproj ? { pbxproj: await fileArg(ctx, '--pbxproj', flags.pbxproj) } : {}),
    ...(flags.entitlements ? { entitlements: await fileArg(ctx, '--entitlements', flags.entitlements) } : {}),
    ...(flags.androidManifest ? { androidManifest: await fileArg(ctx, '--android-manifest', flags.androidManifest) } : {}),
    ...(flags.gradle ? { gradle: await fileArg(ctx, '--gradle', flags.gradle) } : {}),
    ...(tac.some((p) => /\.plist$/i.test(p!)) ? { tacPlists: tac.filter((p) => /\.plist$/i.test(p!)) as string[] } : {}),
    ...(tac.some((p) => /\.json$/i.test(p!)) ? { tacJsons: tac.filter((p) => /\.json$/i.test(p!)) as string[] } : {}),
  };
}

/** A file, a directory, or neither (missing, or something else). */
export async function kindOf(p: string): Promise<'file' | 'dir' | undefined> {
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
async function fileArg(ctx: Pick<Ctx, 'cwd'>, flag: string, value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  const abs = resolve(ctx.cwd, value);
  const k = await kindOf(abs);
  if (k === undefined) throw new UsageError(`${flag} ${inert(value, { singleLine: true })}: no such file`, 'check the path (relative paths start from the current directory)');
  if (k === 'dir') throw new UsageError(`${flag} ${inert(value, { singleLine: true })} is a directory, not a file`, 'give the path of the file itself');
  return abs;
}
