// A per-grant rule over a large tenant returns hundreds of thousands of results; the skip logic
// must pass them all through (it once spread them as call arguments and overflowed the stack).
import { describe, expect, it } from 'vitest';
import type { Rule, RuleResult } from '../../src/rules/model.js';
import { applySkips } from '../../src/rules/run.js';

const rule = { id: 'per-grant', severity: 'high', requires: ['norm.grants'] } as Rule;

describe('applySkips with many results', () => {
  it('keeps 400,000 results of a complete scope, sorted by resource', () => {
    const results: RuleResult[] = Array.from({ length: 400_000 }, (_, i) => ({
      rule_id: 'per-grant', instance: 'entra', resource: `app:${String(399_999 - i).padStart(6, '0')}@acme.example`, resource_type: 'grant',
      status: 'alarm', reason: '', severity: 'high', evidence: {},
    }));
    const out = applySkips(rule, results, [{ instance: 'entra', view: 'norm.grants', state: 'complete' }]);
    expect(out).toHaveLength(400_000);
    expect(out[0]!.resource).toBe('app:000000@acme.example');
    expect(out[399_999]!.resource).toBe('app:399999@acme.example');
  });
});
