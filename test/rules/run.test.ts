// The rule runner: results with evidence, skip semantics per instance (a required source
// missing or partial → one `skip`, never `ok`), thresholds bound as variables and overridden by
// config, and rule SQL that is not a well-formed read-only result refused with the rule's file.
import { afterEach, describe, expect, it } from 'vitest';
import type { Duck } from '../../src/db/duck.js';
import { UserError } from '../../src/errors.js';
import { loadRules } from '../../src/rules/load.js';
import type { Rule, SourceStatus } from '../../src/rules/model.js';
import { ruleScopes, runRules } from '../../src/rules/run.js';
import { engineWithRows } from '../../src/rules/test.js';

const builtin = loadRules();
const byId = (id: string) => builtin.find((r) => r.id === id)!;

/** A tiny user rule over norm.egress: one row per (instance, domain), alarm at ≥ min_requests. */
function egressRule(over: Partial<Rule> = {}): Rule {
  return {
    id: 'busy-domain', title: 'busy', severity: 'low', description: 'd', risk: 'r', remediation: 'm', references: [], tags: [],
    requires: ['norm.egress'], thresholds: { min_requests: 10 }, tests: [], domain: 'test', yamlFile: '/rules/test/busy-domain.yaml',
    sqlFile: '/rules/test/busy-domain.sql', builtin: false,
    sql: `select instance, domain as resource, 'domain' as resource_type,
                 case when sum(requests) >= getvariable('min_requests') then 'alarm' else 'ok' end as status,
                 'requests: ' || sum(requests) as reason, sum(requests) as requests
            from norm.egress group by instance, domain`,
    ...over,
  };
}

const EGRESS = {
  'norm.egress': [
    { instance: 'proxy-hq', user: 'ann', src_ip: '10.0.0.3', host: 'api.openai.com', domain: 'openai.com', requests: 12 },
    { instance: 'proxy-hq', user: 'bob', src_ip: '10.0.0.4', host: 'github.com', domain: 'github.com', requests: 2 },
    { instance: 'proxy-eu', user: 'cy', src_ip: '10.1.0.3', host: 'api.openai.com', domain: 'openai.com', requests: 40 },
  ],
};
const complete = (instance: string, view = 'norm.egress'): SourceStatus => ({ instance, view, state: 'complete' });

let engine: Duck | undefined;
afterEach(() => {
  engine?.close();
  engine = undefined;
});

describe('runRules', () => {
  it('returns one result per row with the rule id and severity, and every other column as evidence', async () => {
    engine = await engineWithRows(EGRESS);
    const results = await runRules(engine, [egressRule()], { sources: [complete('proxy-hq'), complete('proxy-eu')] });
    expect(results).toEqual([
      { rule_id: 'busy-domain', instance: 'proxy-eu', resource: 'openai.com', resource_type: 'domain', status: 'alarm', reason: 'requests: 40', severity: 'low', evidence: { requests: 40 } },
      { rule_id: 'busy-domain', instance: 'proxy-hq', resource: 'github.com', resource_type: 'domain', status: 'ok', reason: 'requests: 2', severity: 'low', evidence: { requests: 2 } },
      { rule_id: 'busy-domain', instance: 'proxy-hq', resource: 'openai.com', resource_type: 'domain', status: 'alarm', reason: 'requests: 12', severity: 'low', evidence: { requests: 12 } },
    ]);
  });

  it('replaces every result of an instance with a partial source by ONE skip naming the view, state and cause; other instances keep theirs', async () => {
    engine = await engineWithRows(EGRESS);
    const sources: SourceStatus[] = [
      { instance: 'proxy-hq', view: 'norm.egress', state: 'partial', detail: 'proxy-hq/egress_hourly: latest sync (2025-06-15T10:00:00.000Z) is failed' },
      complete('proxy-eu'),
    ];
    const results = await runRules(engine, [egressRule()], { sources });
    expect(results.map((r) => [r.instance, r.resource, r.status])).toEqual([
      ['proxy-eu', 'openai.com', 'alarm'],
      ['proxy-hq', '*', 'skip'],
    ]);
    const skip = results.find((r) => r.status === 'skip')!;
    expect(skip.reason).toBe('skipped: norm.egress is partial (proxy-hq/egress_hourly: latest sync (2025-06-15T10:00:00.000Z) is failed)');
    expect(skip.evidence).toEqual({ sources: [{ view: 'norm.egress', state: 'partial', detail: sources[0]!.detail }], results_withheld: 2 });
    expect(skip.severity).toBe('low');
  });

  it('skips an instance that has results but no status for a required view (missing), never reporting ok there', async () => {
    engine = await engineWithRows(EGRESS);
    const results = await runRules(engine, [egressRule()], { sources: [complete('proxy-eu')] });
    expect(results.filter((r) => r.instance === 'proxy-hq')).toEqual([
      expect.objectContaining({ resource: '*', status: 'skip', reason: 'skipped: norm.egress is missing (no configured source of proxy-hq feeds norm.egress)' }),
    ]);
  });

  it('reports a skip for an instance whose source failed even when the rule returned nothing for it', async () => {
    engine = await engineWithRows(EGRESS);
    const results = await runRules(engine, [egressRule()], { sources: [complete('proxy-hq'), complete('proxy-eu'), { instance: 'proxy-us', view: 'norm.egress', state: 'missing' }] });
    expect(results.filter((r) => r.instance === 'proxy-us').map((r) => [r.resource, r.status, r.reason])).toEqual([['*', 'skip', 'skipped: norm.egress is missing']]);
  });

  it('ignores source states of views the rule does not require', async () => {
    engine = await engineWithRows(EGRESS);
    const results = await runRules(engine, [egressRule()], {
      sources: [complete('proxy-hq'), complete('proxy-eu'), { instance: 'proxy-hq', view: 'norm.grants', state: 'partial' }],
    });
    expect(results.every((r) => r.status !== 'skip')).toBe(true);
    expect(results).toHaveLength(3);
  });

  it('judges a scope complete only when every required source view is complete (ruleScopes)', () => {
    const rule = byId('unregistered-app'); // requires norm.grants and norm.apps
    const scopes = ruleScopes(rule, [
      { instance: 'okta-prod', view: 'norm.grants', state: 'complete' },
      { instance: 'okta-prod', view: 'norm.apps', state: 'complete' },
      { instance: 'okta-dev', view: 'norm.grants', state: 'complete' },
      { instance: 'okta-dev', view: 'norm.apps', state: 'partial' },
      { instance: 'proxy-hq', view: 'norm.egress', state: 'complete' },
    ]);
    expect(scopes.map((s) => [s.instance, s.complete, s.incomplete.map((i) => i.view)])).toEqual([
      ['okta-dev', false, ['norm.apps']],
      ['okta-prod', true, []],
    ]);
  });
});

describe('thresholds', () => {
  it('uses the rule default unless config sets the same name; unrelated names do not leak into other rules', async () => {
    engine = await engineWithRows(EGRESS);
    const sources = [complete('proxy-hq'), complete('proxy-eu')];
    const status = async (thresholds: Record<string, number>) =>
      (await runRules(engine!, [egressRule()], { thresholds, sources })).find((r) => r.instance === 'proxy-hq' && r.resource === 'openai.com')?.status;
    expect(await status({})).toBe('alarm'); // 12 ≥ default 10
    expect(await status({ min_requests: 20 })).toBe('ok'); // 12 < 20 from config
    expect(await status({ egress_min_users: 99 })).toBe('alarm');
  });

  it('egress_min_users from config turns the built-in unregistered-egress alarm into info', async () => {
    engine = await engineWithRows({
      'norm.egress': [
        { instance: 'proxy-hq', user: 'ann', src_ip: '10.0.0.3', host: 'hooks.zapier.com', domain: 'zapier.com', requests: 3, bytes_out: 10, bytes_in: 1 },
        { instance: 'proxy-hq', user: 'bob', src_ip: '10.0.0.4', host: 'hooks.zapier.com', domain: 'zapier.com', requests: 3, bytes_out: 10, bytes_in: 1 },
      ],
      'catalog.domains': [{ domain: 'zapier.com', vendor: 'Zapier', category: 'automation', source: 'test' }],
    });
    const run = async (thresholds: Record<string, number>) =>
      (await runRules(engine!, [byId('unregistered-egress')], { thresholds, sources: [complete('proxy-hq')] }))[0];
    expect(await run({})).toMatchObject({ resource: 'zapier.com', status: 'alarm', evidence: expect.objectContaining({ users: 2, requests: 6, vendor: 'Zapier', category: 'automation' }) });
    expect(await run({ egress_min_users: 3 })).toMatchObject({ status: 'info', reason: expect.stringContaining('below egress_min_users = 3') });
  });
});

describe('rule SQL that breaks the contract', () => {
  const run = async (sql: string) => {
    engine ??= await engineWithRows(EGRESS);
    return runRules(engine, [egressRule({ sql })], { sources: [complete('proxy-hq')] });
  };

  it('refuses a status outside alarm|ok|info, naming the rule file', async () => {
    await expect(run(`select 'proxy-hq' as instance, 'x' as resource, 'domain' as resource_type, 'ok-ish' as status, '' as reason`))
      .rejects.toThrow(/rule busy-domain \(\/rules\/test\/busy-domain\.sql\) returned status "ok-ish"/);
  });

  it('refuses a result without the required columns', async () => {
    await expect(run(`select 'proxy-hq' as instance, 'x' as resource`)).rejects.toThrow(/does not return the columns resource_type, status, reason/);
  });

  it('refuses anything but a SELECT (a rule cannot write files)', async () => {
    const err = await run(`copy (select 1) to '/tmp/shadowscan-rule-escape.csv'`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/rule busy-domain .* failed: statement 1 is a COPY statement/);
  });

  it('reports a binder error with the rule id and file', async () => {
    await expect(run(`select nope from norm.egress`)).rejects.toThrow(/rule busy-domain \(\/rules\/test\/busy-domain\.sql\) failed: .*nope/s);
  });
});
