/** The error classes keep `instanceof` across bundles: main.cjs, sandbox.cjs and doctor.cjs each carry their own copy. */
import { buildSync } from 'esbuild';
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ApiError, Cancelled, TacpayError, UsageError } from '../src/errors.js';

/** src/errors.ts bundled and evaluated afresh, as another bundle would hold it: new classes, same realm. */
function anotherCopy(): typeof import('../src/errors.js') {
  const out = buildSync({ entryPoints: ['src/errors.ts'], bundle: true, format: 'cjs', platform: 'node', write: false, minify: true });
  const module = { exports: {} as Record<string, unknown> };
  runInThisContext(`(function (module, exports, require) {${out.outputFiles[0]!.text}\n})`)(module, module.exports, createRequire(import.meta.url));
  return module.exports as unknown as typeof import('../src/errors.js');
}

describe('errors from another copy of src/errors.ts', () => {
  const other = anotherCopy();

  it('are different classes, yet instances of the kinds they are', () => {
    expect(other.UsageError).not.toBe(UsageError);
    const usage = new other.UsageError('bad flag', 'see --help');
    expect(usage instanceof TacpayError).toBe(true);
    expect(usage instanceof UsageError).toBe(true);
    expect(usage instanceof ApiError).toBe(false);
    expect(usage instanceof Cancelled).toBe(false);
    expect([usage.exitCode, usage.code, usage.hint]).toEqual([2, 'usage', 'see --help']);
    const api = new other.ApiError('refused', undefined, { ret: 1018 });
    expect(api instanceof ApiError && api.details).toEqual({ ret: 1018 });
    expect(new other.Cancelled() instanceof Cancelled).toBe(true);
  });

  it('a plain failure is a TacpayError of no narrower kind; other errors are none', () => {
    const failed = new other.TacpayError('no such order', 'check the number', 'not_found');
    expect(failed instanceof TacpayError).toBe(true);
    expect(failed instanceof UsageError || failed instanceof ApiError || failed instanceof Cancelled).toBe(false);
    expect(new Error('bug') instanceof TacpayError).toBe(false);
    expect((null as unknown) instanceof TacpayError).toBe(false);
  });

  it('a subclass made elsewhere is matched by its prototype, and is still a kind of its parent', () => {
    class Special extends UsageError {}
    expect(new Special('x') instanceof Special).toBe(true);
    expect(new Special('x') instanceof other.UsageError).toBe(true);
    expect(new UsageError('x') instanceof Special).toBe(false);
  });
});
