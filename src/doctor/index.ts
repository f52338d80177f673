/**
 * The doctor, as the CLI loads it (lazily: the parsers are only evaluated when `tacpay doctor`
 * runs): gather the project once, run every check, build the report; plan and apply fixes.
 */
import { join } from 'node:path';
import type { Snapshot } from './types.js';

export { CHECKS } from './checks/index.js';
export { applyEdit, ChangedSinceRead, planFixes, writeAtomic, type FixPlan, type PlannedEdit } from './fix.js';
export { CAPS, readBounded, Refused } from './fsread.js';
export { renderFixPlan, renderReport, summaryLine } from './render.js';
export { runDoctor, skipMap, skippable, type DoctorRun, type RunOptions } from './run.js';
export { fixLoop, type FixHooks, type FixOutcome } from './fix-loop.js';
export type { ExplicitPaths, GatherInput } from './gather.js';

/**
 * Why there is nothing to check: no iOS or Android project (or Expo config) was found. The message
 * names what was seen instead (uni-app, Cordova) and where an app probably is (example/, apps/*).
 */
export function noProject(s: Snapshot, dirArg: string): { message: string; hint: string } | undefined {
  if (s.ios || s.android) return undefined;
  const seen = s.layouts.filter((l) => l === 'uni-app' || l === 'cordova');
  const suggestions = s.suggestions;
  const message = `no iOS or Android app project in ${dirArg}${seen.length ? ` (a ${seen.join(' and ')} project: its native projects are generated, and tacpay checks those)` : ''}`;
  let hint: string;
  const broken = s.files.used.find((f) => f.role === 'expo.config' && f.error);
  if (broken) return { message: `${broken.path}, the Expo config of this app, cannot be used: ${broken.error}`, hint: 'fix the JSON (npx expo config shows what Expo reads), then run tacpay doctor again' };
  const dynamic = s.notes.find((n) => /^app\.config\.\w+ is code/.test(n));
  if (s.layouts.includes('expo') && dynamic) {
    return { message: `an Expo project configured only by ${dynamic.split(' ')[0]} in ${dirArg}: it is code, and tacpay does not run it`, hint: 'write the resolved config with npx expo config --type prebuild --json > app.config.json (or run npx expo prebuild), then tacpay doctor again' };
  }
  const library = s.notes.find((n) => /is an Android library/.test(n));
  if (library && !suggestions.length) return { message: `no iOS or Android app project in ${dirArg}: ${library.replace(/: not checked$/, '')}`, hint: 'run tacpay doctor on the app that uses the library (its example app, if it has one)' };
  if (suggestions.length) hint = `the app looks to be in ${suggestions.slice(0, 3).join(', ')}: tacpay doctor ${join(dirArg, suggestions[0]!)}`;
  else if (seen.length) hint = s.notes.find((n) => /uni-app|Cordova/.test(n)) ?? 'run tacpay doctor on the generated native project';
  else hint = 'give the directory that holds ios/ and android/, an .xcodeproj or build.gradle (or --ios-plist / --android-manifest for single files)';
  return { message, hint };
}
