/**
 * `tacpay doctor [dir]`: the troubleshooting checklist (spec §4.7) run against the project's iOS
 * and Android files, the tacpay config, and optionally a pay_info and a device log. Registration
 * only: run.ts (parse, config, the checks, --fix) and with it the doctor itself (src/doctor, with
 * its XML, plist and pbxproj parsers) are imported only when this command runs.
 */
import type { Command } from 'commander';
import type { GlobalFlags } from '../../context.js';
import { collect, configOption } from '../../flags.js';
import { action, examples, type App } from '../../kit.js';
import type { DoctorFlags } from './parse.js';

/** Registers `tacpay doctor`: its flags, help and examples; the action loads run.ts. */
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
    .option('--log <file>', 'a device or console log to scan for init errors, error codes and reused orders');
  configOption(cmd, 'offerId', { description: 'offerId to compare with (default: from config)', placeholder: 'id' });
  configOption(cmd, 'wechatAppId', { description: 'WeChat AppID to compare with (default: from config)', placeholder: 'id' });
  configOption(cmd, 'qqAppId', { description: 'QQ AppID to compare with (default: from config)', placeholder: 'id' });
  cmd
    .option('--strict', 'warnings count as failures (exit 1)')
    .option('--skip <id>', 'do not run this check (a check id, or a category); repeatable; also doctor.skip in tacpay.config.json', collect)
    .option('--fix', 'make the mechanical fixes (URL schemes, query schemes, <queries>, permissions) in XML plists and AndroidManifest.xml; shows the diff first')
    .option('-y, --yes', 'with --fix: write without asking');
  cmd.action(action<DoctorFlags>(app, async (opts, ctx, args) => (await import('./run.js')).runDoctorCommand(opts, ctx, args[0], cmd.optsWithGlobals() as GlobalFlags)));
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
