import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName } from '../../src/config/options.js';
import { ConfigFileError, displayValue, resolveConfig } from '../../src/config/resolve.js';
import { tempDir } from '../helpers/cli.js';

function setup(project?: object, user?: object, mode = 0o600) {
  const root = tempDir();
  const home = join(root, 'home');
  const cwd = join(root, 'proj', 'sub');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(home, '.config', 'tacpay'), { recursive: true });
  if (project) {
    writeFileSync(join(root, 'proj', 'tacpay.config.json'), JSON.stringify(project));
    chmodSync(join(root, 'proj', 'tacpay.config.json'), mode);
  }
  if (user) writeFileSync(join(home, '.config', 'tacpay', 'config.json'), JSON.stringify(user), { mode: 0o600 });
  return { root, cwd, env: { HOME: home } as Record<string, string | undefined> };
}

describe('config resolution', () => {
  it('derives TACPAY_* names from the camelCase keys', () => {
    expect(envName('offerId')).toBe('TACPAY_OFFER_ID');
    expect(envName('platformPublicKey')).toBe('TACPAY_PLATFORM_PUBLIC_KEY');
    expect(envName('qqAppId')).toBe('TACPAY_QQ_APP_ID');
  });

  it('applies flag > env > project > user > default and remembers each source', () => {
    const { cwd, env } = setup({ offerId: 'TC1', wechatAppId: 'wxproject', qqAppId: '111' }, { offerId: 'TC9', qqAppId: '999', baseUrl: 'http://127.0.0.1:1' });
    const r = resolveConfig({ flags: { offerId: 'TCflag' }, env: { ...env, TACPAY_WECHAT_APP_ID: 'wxenv' }, cwd });
    expect(r.values.offerId).toMatchObject({ value: 'TCflag', source: 'flag' });
    expect(r.values.wechatAppId).toMatchObject({ value: 'wxenv', source: 'env', origin: 'TACPAY_WECHAT_APP_ID' });
    expect(r.values.qqAppId).toMatchObject({ value: '111', source: 'project' });
    expect(r.values.qqAppId?.origin).toMatch(/proj\/tacpay\.config\.json$/);
    expect(r.values.baseUrl).toMatchObject({ value: 'http://127.0.0.1:1', source: 'user' });
    expect(r.values.env).toMatchObject({ value: 'sandbox', source: 'default' });
    expect(r.values.offerKey).toBeUndefined();
  });

  it('finds the nearest project file upwards and resolves relative paths against its directory', () => {
    const { root, cwd, env } = setup({ privateKey: 'keys/merchant.pem' });
    const r = resolveConfig({ flags: {}, env, cwd });
    expect(r.values.privateKey?.baseDir).toBe(join(root, 'proj'));
    expect(r.files.project).toBe(join(root, 'proj', 'tacpay.config.json'));
  });

  it('selects a profile, which overrides the file top level', () => {
    const { cwd, env } = setup({ offerId: 'TC1', profiles: { shop2: { offerId: 'TC2' } } });
    expect(resolveConfig({ flags: {}, env, cwd, profile: 'shop2' }).values.offerId?.value).toBe('TC2');
    expect(resolveConfig({ flags: {}, env: { ...env, TACPAY_PROFILE: 'shop2' }, cwd }).values.offerId?.value).toBe('TC2');
    expect(() => resolveConfig({ flags: {}, env, cwd, profile: 'nope' })).toThrow(/profile "nope" is not defined/);
  });

  it('warns when a file holding secrets is readable by others, as ssh does', () => {
    const { cwd, env } = setup({ offerKey: 'x'.repeat(32) }, undefined, 0o644);
    const r = resolveConfig({ flags: {}, env, cwd });
    expect(r.warnings.join('\n')).toMatch(/readable by other users \(mode 644\); run: chmod 600/);
    const { cwd: cwd2, env: env2 } = setup({ offerKey: 'x'.repeat(32) }, undefined, 0o600);
    expect(resolveConfig({ flags: {}, env: env2, cwd: cwd2 }).warnings).toEqual([]);
  });

  it('reports broken files as ConfigFileError with a hint, and unknown keys as warnings', () => {
    const { root, cwd, env } = setup();
    writeFileSync(join(root, 'proj', 'tacpay.config.json'), '{"offerId": ');
    expect(() => resolveConfig({ flags: {}, env, cwd })).toThrow(ConfigFileError);
    writeFileSync(join(root, 'proj', 'tacpay.config.json'), '{"offerID": "TC1"}');
    expect(resolveConfig({ flags: {}, env, cwd }).warnings[0]).toMatch(/unknown key "offerID"/);
    expect(() => resolveConfig({ flags: {}, env, cwd, configFile: 'missing.json' })).toThrow(/cannot read config file/);
  });

  it('rejects a value outside its choices, naming the source', () => {
    const { cwd, env } = setup();
    expect(() => resolveConfig({ flags: {}, env: { ...env, TACPAY_ENV: 'prod' }, cwd })).toThrow(/env "prod" \(from TACPAY_ENV\) is not one of sandbox, production/);
  });

  it('redacts secrets for display', () => {
    expect(displayValue('offerKey', 'bBJ2la1zfmssX28fhe39dv9OcFe6JFvY')).toBe('<redacted: 32 chars>');
    expect(displayValue('offerId', 'TC100008')).toBe('TC100008');
  });
});
