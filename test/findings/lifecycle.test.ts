// The findings lifecycle (DESIGN.md "Findings") as a pure function.
import { describe, expect, it } from 'vitest';
import { planTransitions } from '../../src/findings/lifecycle.js';
import { fingerprint, scopeKey, type FindingInput, type FindingRow } from '../../src/findings/model.js';

const alarm = (resource: string, instance = 'okta-prod', rule = 'unregistered-app'): FindingInput => ({
  rule_id: rule, instance, resource, resource_type: 'app', status: 'alarm', reason: `${resource} is not registered`, severity: 'high', evidence: { app_id: resource },
});
const t = (iso: string) => new Date(iso);

function apply(existing: FindingRow[], results: FindingInput[], scanId: string, now: string, complete: string[][] = [['unregistered-app', 'okta-prod']]): FindingRow[] {
  const { upserts } = planTransitions(existing, results, { scanId, now: t(now), completeScopes: new Set(complete.map(([r, i]) => scopeKey(r!, i!))) });
  const byFp = new Map(existing.map((f) => [f.fingerprint, f]));
  for (const u of upserts) byFp.set(u.fingerprint, u);
  return [...byFp.values()];
}

describe('findings lifecycle', () => {
  it('fingerprints are stable across scans and distinct per tenant', () => {
    expect(fingerprint('r', 'okta-prod', 'app1')).toBe(fingerprint('r', 'okta-prod', 'app1'));
    expect(fingerprint('r', 'okta-prod', 'app1')).not.toBe(fingerprint('r', 'okta-dev', 'app1'));
    expect(fingerprint('r', 'a', 'b\u0000c')).not.toBe(fingerprint('r', 'a\u0000b', 'c'));
  });

  it('opens a new finding, keeps it open (not new) on the next scan, resolves it when gone from a complete scan, reopens with history', () => {
    let state = apply([], [alarm('0oa1')], 's1', '2026-01-01T00:00:00Z');
    expect(state).toHaveLength(1);
    expect(state[0]).toMatchObject({ status: 'open', opened_in_scan: 's1', reopened: 0 });

    state = apply(state, [alarm('0oa1')], 's2', '2026-01-02T00:00:00Z');
    expect(state[0]).toMatchObject({ status: 'open', opened_in_scan: 's1', last_scan_id: 's2' });
    expect(state[0]!.last_seen).toEqual(t('2026-01-02T00:00:00Z'));

    state = apply(state, [], 's3', '2026-01-03T00:00:00Z');
    expect(state[0]).toMatchObject({ status: 'resolved' });
    expect(state[0]!.resolved_at).toEqual(t('2026-01-03T00:00:00Z'));

    const { history } = planTransitions(state, [alarm('0oa1')], { scanId: 's4', now: t('2026-01-04T00:00:00Z'), completeScopes: new Set() });
    expect(history).toEqual([expect.objectContaining({ from_status: 'resolved', to_status: 'open', scan_id: 's4', note: 'seen again' })]);
    state = apply(state, [alarm('0oa1')], 's4', '2026-01-04T00:00:00Z');
    expect(state[0]).toMatchObject({ status: 'open', reopened: 1, opened_in_scan: 's4', resolved_at: null });
  });

  it('never resolves in a scope whose sources were partial or skipped', () => {
    let state = apply([], [alarm('0oa1')], 's1', '2026-01-01T00:00:00Z');
    state = apply(state, [], 's2', '2026-01-02T00:00:00Z', []);
    expect(state[0]!.status).toBe('open');
    // Another instance's complete scope does not count either.
    state = apply(state, [], 's3', '2026-01-03T00:00:00Z', [['unregistered-app', 'okta-dev']]);
    expect(state[0]!.status).toBe('open');
  });

  it('keeps a suppressed finding suppressed until its expiry, then opens it again', () => {
    let state = apply([], [alarm('0oa1')], 's1', '2026-01-01T00:00:00Z');
    state = [{ ...state[0]!, status: 'suppressed', suppressed_until: t('2026-02-01T00:00:00Z'), suppressed_reason: 'pilot', suppressed_by: 'ann' }];
    state = apply(state, [alarm('0oa1')], 's2', '2026-01-15T00:00:00Z');
    expect(state[0]!.status).toBe('suppressed');
    state = apply(state, [alarm('0oa1')], 's3', '2026-02-02T00:00:00Z');
    // Back to open with no suppression left on it (the columns describe the active one only).
    expect(state[0]).toMatchObject({ status: 'open', opened_in_scan: 's3', suppressed_until: null, suppressed_reason: null, suppressed_by: null });
  });

  it('treats ok, info and skip results as not alarming', () => {
    const state = apply([], [{ ...alarm('x'), status: 'ok' }, { ...alarm('y'), status: 'skip' }, { ...alarm('z'), status: 'info' }], 's1', '2026-01-01T00:00:00Z');
    expect(state).toHaveLength(0);
  });
});
