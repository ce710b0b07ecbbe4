// A rule may return a `severity` column: each result (and so each finding) takes the row's own
// severity, NULL falls back to the rule's, anything else is refused naming the rule; test cases
// may pin `severity` in `expect`, and a mismatch fails the case.
import { afterEach, describe, expect, it } from 'vitest';
import type { Duck } from '../../src/db/duck.js';
import { UserError } from '../../src/errors.js';
import type { Rule } from '../../src/rules/model.js';
import { runRules } from '../../src/rules/run.js';
import { engineWithRows, runCase } from '../../src/rules/test.js';

function rule(severitySql: string): Rule {
  return {
    id: 'busy-domain', title: 'busy', severity: 'low', description: 'd', risk: 'r', remediation: 'm', references: [], tags: [],
    requires: ['norm.egress'], thresholds: {}, tests: [], domain: 'test', yamlFile: '/rules/test/busy-domain.yaml',
    sqlFile: '/rules/test/busy-domain.sql', builtin: false,
    sql: `select instance, domain as resource, 'domain' as resource_type, 'alarm' as status, 'r' as reason,
                 ${severitySql} as severity, requests
            from norm.egress`,
  };
}

const GIVEN = {
  'norm.egress': [
    { instance: 'proxy-hq', domain: 'openai.com', requests: 50 },
    { instance: 'proxy-hq', domain: 'github.com', requests: 2 },
  ],
};
const sources = [{ instance: 'proxy-hq', view: 'norm.egress', state: 'complete' as const }];

let engine: Duck | undefined;
afterEach(() => {
  engine?.close();
  engine = undefined;
});

describe('per-row severity', () => {
  it('takes the row\'s severity, the rule\'s when NULL, and keeps severity out of the evidence', async () => {
    engine = await engineWithRows(GIVEN);
    const results = await runRules(engine, [rule(`case when requests > 10 then 'critical' end`)], { sources });
    expect(results.map((r) => [r.resource, r.severity, r.evidence])).toEqual([
      ['github.com', 'low', { requests: 2 }],
      ['openai.com', 'critical', { requests: 50 }],
    ]);
  });

  it('refuses a severity that is not one of the five, naming the rule and the value', async () => {
    engine = await engineWithRows(GIVEN);
    const run = runRules(engine, [rule(`'urgent'`)], { sources });
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(runRules(engine, [rule(`'urgent'`)], { sources })).rejects.toThrow('rule busy-domain (/rules/test/busy-domain.sql) returned severity "urgent"');
  });

  it('a test case that pins severity fails on a mismatch and passes on a match', async () => {
    const r = rule(`case when requests > 10 then 'high' end`);
    const base = { name: 'c', given: GIVEN, thresholds: {}, sources: [] };
    const pass = await runCase(r, { ...base, expect: [{ resource: 'openai.com', status: 'alarm', severity: 'high' }, { resource: 'github.com', status: 'alarm', severity: 'low' }] });
    expect(pass.pass).toBe(true);
    const fail = await runCase(r, { ...base, expect: [{ resource: 'openai.com', status: 'alarm', severity: 'critical' }, { resource: 'github.com', status: 'alarm' }] });
    expect(fail.pass).toBe(false);
    expect(fail.message).toBe('missing: alarm critical "openai.com" | unexpected: alarm high "openai.com" in proxy-hq (r)');
  });
});
