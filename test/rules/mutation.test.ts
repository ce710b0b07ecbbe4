// Mutation check: each built-in rule marks its alarm condition with `-- mutation:` on the line
// `when <condition> then 'alarm'`. Inverting that condition must make at least one of the rule's
// own test cases fail — otherwise the cases do not pin the rule's behaviour down.
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import type { Rule } from '../../src/rules/model.js';
import { testRule } from '../../src/rules/test.js';

const MARKED = /^(\s*)when (.+) then 'alarm'(\s*)--\s*mutation:/;

/** The rule with its marked alarm condition negated. */
function invertAlarm(rule: Rule): Rule {
  const lines = rule.sql.split('\n');
  const marked = lines.flatMap((l, i) => (MARKED.test(l) ? [i] : []));
  if (marked.length !== 1) throw new Error(`${rule.id}: expected exactly one "when … then 'alarm' -- mutation:" line, found ${marked.length}`);
  const i = marked[0]!;
  lines[i] = lines[i]!.replace(MARKED, (_m, indent: string, cond: string, gap: string) => `${indent}when not coalesce((${cond}), false) then 'alarm'${gap}-- mutated:`);
  return { ...rule, sql: lines.join('\n') };
}

const rules = loadRules();

describe('mutation check', () => {
  for (const rule of rules) {
    it(`${rule.id}: inverting the alarm condition fails at least one of its cases`, async () => {
      const original = await testRule(rule);
      expect(original.filter((o) => !o.pass)).toEqual([]);
      const mutant = invertAlarm(rule);
      expect(mutant.sql).not.toBe(rule.sql);
      const outcomes = await testRule(mutant);
      const failed = outcomes.filter((o) => !o.pass);
      expect(failed.length).toBeGreaterThan(0);
      // The mutant runs (fails on results, not on a SQL error).
      expect(failed.every((o) => !o.message.startsWith('error:'))).toBe(true);
    });
  }

  it('refuses a rule without exactly one marked alarm line', () => {
    const rule = rules[0]!;
    expect(() => invertAlarm({ ...rule, sql: rule.sql.replace(/--\s*mutation:/, '--') })).toThrow(/found 0/);
  });
});
