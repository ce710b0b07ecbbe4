// `rules test` for every built-in rule is part of `npm test`: every case passes, and every rule
// has cases that must alarm, must not alarm, and must skip when its source is partial.
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { testRules } from '../../src/rules/test.js';

const rules = loadRules();

describe('built-in rules (queries/)', () => {
  it('are the built-in rules, each in its domain folder', () => {
    expect(rules.map((r) => `${r.domain}/${r.id}`).sort()).toEqual(['egress/unregistered-egress', 'identity/over-scoped-grant', 'identity/risky-scope-grant', 'identity/unregistered-app']);
    expect(rules.every((r) => r.builtin)).toBe(true);
  });

  it('pass every test case', async () => {
    const outcomes = await testRules(rules);
    expect(outcomes.length).toBe(rules.reduce((n, r) => n + r.tests.length, 0));
    expect(outcomes.filter((o) => !o.pass).map((o) => `${o.rule_id}: ${o.case}: ${o.message}`)).toEqual([]);
  });

  for (const rule of rules) {
    it(`${rule.id} has a case that alarms, one that does not, and one that skips on a partial or missing source`, () => {
      const statuses = (pred: (s: string) => boolean) => rule.tests.filter((t) => t.expect.some((e) => pred(e.status)));
      expect(statuses((s) => s === 'alarm').length).toBeGreaterThan(0);
      expect(rule.tests.filter((t) => t.expect.every((e) => e.status !== 'alarm')).length).toBeGreaterThan(0);
      expect(statuses((s) => s === 'ok').length).toBeGreaterThan(0);
      expect(statuses((s) => s === 'skip').length).toBeGreaterThan(0);
    });
  }
});
