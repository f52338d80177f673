// `tacpay doctor`'s parse step (src/cli/commands/doctor/parse.ts): commander's strings in, a typed
// request out, every mistake a UsageError (exit 2) that names the flag. Real files in a temp dir.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parse, type DoctorFlags } from '../../src/cli/commands/doctor/parse.js';
import { makeCtx, type Ctx } from '../../src/cli/context.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

/** A project dir with an iOS plist, an Android manifest and TAC configs of both kinds. */
function project(): string {
  const cwd = tempDir('tacpay-doctor-parse-');
  mkdirSync(join(cwd, 'app/ios'), { recursive: true });
  for (const f of ['app/ios/Info.plist', 'app/AndroidManifest.xml', 'app/build.gradle', 'tac_services_configurations.plist', 'tac_service_configurations.json', 'device.log', 'notes.txt']) writeFileSync(join(cwd, f), '');
  return cwd;
}

async function ctxIn(cwd: string, stdin: string[] = []): Promise<{ ctx: Ctx; stderr: string[] }> {
  const stderr: string[] = [];
  const ctx = await makeCtx({ stdout: { write: () => true }, stderr: { write: (c) => stderr.push(String(c)) }, stdin: Readable.from(stdin.map((s) => Buffer.from(s))), stdinIsTTY: false, env: {}, cwd }, {});
  return { ctx, stderr };
}

async function usage(flags: DoctorFlags, dir?: string): Promise<{ message: string; hint?: string }> {
  const { ctx } = await ctxIn(project());
  const err = await parse(flags, dir, ctx).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return { message: (err as UsageError).message, hint: (err as UsageError).hint };
}

describe('doctor parse', () => {
  it('makes every path absolute and sorts --tac-config by platform; ids, --skip, --strict and --fix typed', async () => {
    const cwd = project();
    const { ctx } = await ctxIn(cwd);
    const req = await parse(
      {
        iosPlist: 'app/ios/Info.plist',
        androidManifest: 'app/AndroidManifest.xml',
        gradle: 'app/build.gradle',
        tacConfig: ['tac_service_configurations.json', 'tac_services_configurations.plist'],
        log: 'device.log',
        payInfo: 'data=x&sign=y',
        offerId: 'TC100008',
        skip: ['ios', 'android.repositories'],
        strict: true,
        fix: true,
      },
      'app',
      ctx,
    );
    expect(req).toEqual({
      dirArg: 'app',
      root: join(cwd, 'app'),
      paths: {
        iosPlist: join(cwd, 'app/ios/Info.plist'),
        androidManifest: join(cwd, 'app/AndroidManifest.xml'),
        gradle: join(cwd, 'app/build.gradle'),
        tacPlists: [join(cwd, 'tac_services_configurations.plist')],
        tacJsons: [join(cwd, 'tac_service_configurations.json')],
      },
      logFile: join(cwd, 'device.log'),
      payInfo: 'data=x&sign=y',
      skip: ['ios', 'android.repositories'],
      strict: true,
      fix: { yes: false },
      ids: { offerId: 'TC100008', wechatAppId: undefined, qqAppId: undefined },
    });
  });

  it('defaults: the current directory, no paths, no fix', async () => {
    const cwd = project();
    const { ctx } = await ctxIn(cwd);
    expect(await parse({}, undefined, ctx)).toEqual({ dirArg: '.', root: cwd, paths: {}, skip: [], strict: false, ids: { offerId: undefined, wechatAppId: undefined, qqAppId: undefined } });
    expect((await parse({ fix: true, yes: true }, '.', ctx)).fix).toEqual({ yes: true });
  });

  it('--pay-info - reads stdin, without its one trailing newline', async () => {
    const cwd = project();
    const { ctx } = await ctxIn(cwd, ['data=%7B%7D', '&sign=abc\r\n']);
    expect((await parse({ payInfo: '-' }, '.', ctx)).payInfo).toBe('data=%7B%7D&sign=abc');
  });

  it('each mistake is a usage error naming the flag and the value, with a hint', async () => {
    expect(await usage({ yes: true })).toEqual({ message: '--yes only applies to --fix', hint: 'add --fix, or drop --yes' });
    expect((await usage({}, 'no/such/dir')).message).toBe('directory no/such/dir does not exist');
    expect((await usage({}, 'notes.txt')).message).toBe('notes.txt is not a directory');
    expect(await usage({ iosPlist: 'missing.plist' })).toEqual({ message: '--ios-plist missing.plist: no such file', hint: 'check the path (relative paths start from the current directory)' });
    expect(await usage({ gradle: 'app' })).toEqual({ message: '--gradle app is a directory, not a file', hint: 'give the path of the file itself' });
    expect((await usage({ tacConfig: ['notes.txt'] })).message).toBe('--tac-config notes.txt is neither a .plist (iOS) nor a .json (Android)');
    expect((await usage({ log: 'gone.log' })).message).toBe('--log gone.log: no such file');
    expect((await usage({ skip: ['ios', 'ios.no-such-check'] })).message).toBe('--skip ios.no-such-check: no such check');
  });

  it('a value with control characters is shown inert', async () => {
    const { message } = await usage({ pbxproj: 'x\u001b[31m.pbxproj' });
    expect(message).not.toContain('\u001b');
    expect(message).toMatch(/^--pbxproj x.*\.pbxproj: no such file$/);
  });
});
