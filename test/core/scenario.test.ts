/** Scenario files: validation before a run, step references, expectation matching; and the built-in scenarios validate. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchExpect, RefError, resolveRefs, validateScenario } from '../../src/core/scenario.js';
import { FIXTURES } from '../helpers/fixtures.js';

const codes = (input: unknown): string[] => validateScenario(input).issues.map((i) => i.code);

describe('validateScenario', () => {
  it('fills in ids (action name, then numbered), default expectations, retry scale and receiver', () => {
    const r = validateScenario({
      name: 'x',
      steps: [
        { action: 'create' },
        { action: 'refund', params: { out_trade_no: '${create.out_trade_no}', amount: 1 } },
        { action: 'refund', params: { out_trade_no: '${create.out_trade_no}', amount: 1 }, expect: { ret: 1007 } },
        { action: 'query_refund', params: { refund_id: '${refund2.refund_id}' } },
      ],
    });
    expect(r.issues).toEqual([]);
    expect(r.value!.steps.map((s) => [s.id, s.expect])).toEqual([
      ['create', { ret: 0 }],
      ['refund', { ret: 0 }],
      ['refund2', { ret: 1007 }],
      ['query_refund', { ret: 0 }],
    ]);
    expect(r.value!.retryScale).toBe(0.001);
    expect(r.value!.receiverReplies).toEqual(['ok']);
  });

  it('refuses references to later or unknown steps, naming the earlier ids', () => {
    const r = validateScenario({
      steps: [
        { action: 'query', params: { out_trade_no: '${create.out_trade_no}' } },
        { id: 'create', action: 'create' },
      ],
    });
    expect(r.value).toBeUndefined();
    expect(r.issues[0]).toMatchObject({ code: 'scenario.step.ref', hint: expect.stringContaining('none') });
  });

  it('reports typos: unknown keys, actions, params, bad results, platforms, waits, duplicate ids', () => {
    expect(codes({ steps: [{ action: 'crate' }] })).toEqual(['scenario.step.action']);
    expect(codes({ steps: [{ action: 'create', parms: {} }] })).toEqual(['scenario.step.unknown-key']);
    expect(codes({ steps: [{ action: 'create', params: { amont: 1 } }] })).toEqual(['scenario.step.unknown-param']);
    expect(codes({ steps: [{ action: 'pay', params: { out_trade_no: 'a', result: 'won' } }] })).toEqual(['scenario.step.result']);
    expect(codes({ steps: [{ action: 'pay', params: { out_trade_no: 'a', platform: 'symbian' } }] })).toEqual(['scenario.step.platform']);
    expect(codes({ steps: [{ action: 'deliver', params: { out_trade_no: 'a', wait: 'forever' } }] })).toEqual(['scenario.step.wait']);
    expect(codes({ steps: [{ action: 'create' }, { id: 'create', action: 'create' }] })).toEqual(['scenario.step.duplicate-id']);
    expect(codes({ steps: [], extra: 1 })).toEqual(['scenario.unknown-key', 'scenario.steps']);
    expect(codes({ retryScale: 5, steps: [{ action: 'create' }] })).toEqual(['scenario.retryScale']);
    expect(codes({ receiver: { replies: ['maybe'] }, steps: [{ action: 'create' }] })).toEqual(['scenario.receiver']);
    expect(codes('steps')).toEqual(['scenario.type']);
  });
});

describe('references', () => {
  const results = { create: { out_trade_no: 'o1', amount: 100, list: [{ id: 'a' }] } };

  it('a whole-string reference keeps the type; embedded ones interpolate; arrays index by number', () => {
    expect(resolveRefs({ a: '${create.amount}', b: 'no ${create.out_trade_no}!', c: ['${create.list.0.id}'] }, results)).toEqual({ a: 100, b: 'no o1!', c: ['a'] });
  });

  it('a missing value is a RefError naming the reference', () => {
    expect(() => resolveRefs('${create.nope}', results)).toThrow(RefError);
    expect(() => resolveRefs('${pay.x}', results)).toThrow(/step "pay" has no result/);
  });
});

describe('matchExpect', () => {
  it('matches subsets, arrays by length and element, numbers against their decimal strings', () => {
    expect(matchExpect({ ret: 0, order_state: '4', extra: 1 }, { ret: 0, order_state: 4 })).toEqual([]);
    expect(matchExpect({ history: [{ a: 1, b: 2 }] }, { history: [{ a: 1 }] })).toEqual([]);
    expect(matchExpect({ history: [{ a: 1 }] }, { history: [{ a: 1 }, { a: 2 }] })).toEqual([{ path: 'history.length', expected: 2, actual: 1 }]);
    expect(matchExpect({ ret: 1007 }, { ret: 0 })).toEqual([{ path: 'ret', expected: 0, actual: 1007 }]);
    expect(matchExpect({}, { delivered: true })).toEqual([{ path: 'delivered', expected: true, actual: undefined }]);
    expect(matchExpect({ s: '' }, { s: 0 })).toHaveLength(1);
  });
});

describe('built-in scenarios (fixtures/scenarios)', () => {
  const dir = join(FIXTURES, 'scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('are the four the issue names', () => {
    expect(files.sort()).toEqual(['delivery-retry.json', 'happy-path.json', 'partial-refund.json', 'user-cancels.json']);
  });

  it.each(files)('%s validates', (f) => {
    const r = validateScenario(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    expect(r.issues).toEqual([]);
    expect(r.value!.name).toBe(f.replace(/\.json$/, ''));
  });
});
