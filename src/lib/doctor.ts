/** The doctor for a script or a test: the checks report `tacpay doctor --json` prints, without the CLI's config files or prompts. */
import { resolve } from 'node:path';
import { CHECKS, runDoctor as runDoctorCore, skipMap, skippable } from '../doctor/index.js';
import type { ExplicitPaths } from '../doctor/gather.js';
import type { Report } from '../doctor/types.js';
import { TacpayLibError } from './errors.js';

export type { Report as DoctorReport, Finding as DoctorFinding } from '../doctor/types.js';

export interface DoctorOptions {
  /** Ids to compare the project with (what `--offer-id`, `--wechat-app-id`, `--qq-app-id` give the CLI). */
  offerId?: string;
  wechatAppId?: string;
  qqAppId?: string;
  /** A pay_info to check. */
  payInfo?: string;
  /** A device or console log to scan. */
  logFile?: string;
  /** Single files instead of discovery (as the CLI's --ios-plist, --android-manifest, ...). */
  paths?: ExplicitPaths;
  /** Warnings count as failures. */
  strict?: boolean;
  /** Check ids or categories not to run. */
  skip?: readonly string[];
}

/**
 * Runs every check against the project in `dir`; `report.exitCode` is what the CLI would exit with.
 * @example const report = await runDoctor('./android-app', { offerId: 'TC100008' }); report.summary.errors
 */
export async function runDoctor(dir: string, options: DoctorOptions = {}): Promise<Report> {
  const known = skippable(CHECKS);
  for (const id of options.skip ?? []) {
    if (!known.has(id)) throw new TacpayLibError(`skip: no check or category ${JSON.stringify(id)}`, 'doctor.skip.unknown', 'check ids look like ios.wechat-url-scheme; categories: config, ios, android, pay_info, log, manual');
  }
  const skip = skipMap(CHECKS, [{ ids: options.skip ?? [], why: 'the skip option' }]);
  const origin = 'runDoctor options';
  const config = {
    ...(options.offerId ? { offerId: { value: options.offerId, origin } } : {}),
    ...(options.wechatAppId ? { wechatAppId: { value: options.wechatAppId, origin } } : {}),
    ...(options.qqAppId ? { qqAppId: { value: options.qqAppId, origin } } : {}),
  };
  const input = {
    root: resolve(dir),
    paths: options.paths ?? {},
    config,
    ...(options.payInfo !== undefined ? { payInfo: options.payInfo } : {}),
    ...(options.logFile !== undefined ? { logFile: resolve(options.logFile) } : {}),
  };
  const { report } = await runDoctorCore(input, { strict: Boolean(options.strict), skip });
  return report;
}
