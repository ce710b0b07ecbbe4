// Writing a scan's transitions stays within the state DB's memory limit for a large first scan,
// and a scan that sees the same results again changes no finding.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { replayDecisions } from '../../src/findings/decisions.js';
import { planTransitions } from '../../src/findings/lifecycle.js';
import { applyTransitions, loadFindings, recordScan } from '../../src/findings/store.js';
import { scopeKey, type FindingInput } from '../../src/findings/model.js';
import { dataPaths, ensureDataDir } from '../../src/store/paths.js';
import { withState } from '../../src/store/state.js';
import { tempDir } from '../helpers/cli.js';

describe('applyTransitions', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);

  it('writes 3,000 new findings (and again, updated) in one transaction', async () => {
    const paths = dataPaths(join(tmp.dir, 'data'));
    ensureDataDir(paths);
    const results: FindingInput[] = Array.from({ length: 3000 }, (_, i) => ({
      rule_id: 'unregistered-app', instance: 'okta-prod', resource: `0oa${i}`, resource_type: 'app', status: 'alarm',
      reason: `app ${i} is not registered`, severity: 'high', evidence: { app_id: `0oa${i}`, scopes: ['okta.users.read'], note: 'x'.repeat(200) },
    }));
    for (const [scanId, day] of [['s1', '01'], ['s2', '02']] as const) {
      await withState(paths, async (db) => {
        const t = planTransitions(await loadFindings(db), results, { scanId, now: new Date(`2026-01-${day}T00:00:00Z`), completeScopes: new Set() });
        await applyTransitions(db, t);
      });
    }
    const rows = await withState(paths, (db) => loadFindings(db), { readOnly: true });
    expect(rows).toHaveLength(3000);
    expect(rows.every((r) => r.status === 'open' && r.last_scan_id === 's2' && r.opened_in_scan === 's1')).toBe(true);
    const history = await withState(paths, (db) => db.one<{ n: number }>('select count(*) as n from finding_history'), { readOnly: true });
    expect(history?.n).toBe(3000);
  });

  it('stores 6,000 findings of one scan (as the findings step of a scan does) and a second scan with the same results changes none', async () => {
    const paths = dataPaths(join(tmp.dir, 'data-6000'));
    ensureDataDir(paths);
    // Two rules on two instances, every scope complete, so a finding missing from the second
    // scan's results would resolve: 6,000 results in all.
    const scopes = [['unregistered-app', 'okta-prod'], ['unregistered-app', 'okta-dev'], ['risky-scope-grant', 'okta-prod'], ['risky-scope-grant', 'okta-dev']] as const;
    const results: FindingInput[] = Array.from({ length: 6000 }, (_, i) => {
      const [rule_id, instance] = scopes[i % scopes.length]!;
      return {
        rule_id, instance, resource: `0oa${i.toString(36).padStart(6, '0')}`, resource_type: 'app', status: 'alarm', severity: i % 7 === 0 ? 'critical' : 'high',
        reason: `app ${i} is not registered`, evidence: { app_id: `0oa${i}`, scopes: ['okta.users.read', 'okta.apps.manage'], users: i % 50, note: 'x'.repeat(300) },
      };
    });
    const completeScopes = new Set(scopes.map(([r, v]) => scopeKey(r, v)));
    /** The findings step of src/scan/evaluate.ts: replay, load, plan, apply, record — in one state DB session. */
    const findingsStep = (scanId: string, now: string) =>
      withState(paths, async (db) => {
        await replayDecisions(db, paths);
        const t = planTransitions(await loadFindings(db), results, { scanId, now: new Date(now), completeScopes });
        await applyTransitions(db, t);
        await recordScan(db, { scanId, startedAt: new Date(now), finishedAt: new Date(now), status: 'ok', summary: { upserts: t.upserts.length, history: t.history.length } });
        return t;
      });
    const countHistory = () => withState(paths, (db) => db.one<{ n: number; first: number }>("select count(*)::int as n, count(*) filter (where note = 'first seen')::int as first from finding_history"), { readOnly: true });

    const first = await findingsStep('scan-1', '2026-01-01T00:00:00Z');
    expect(first.history).toHaveLength(6000);
    const stored = await withState(paths, (db) => loadFindings(db, 'order by fingerprint'), { readOnly: true });
    expect(stored).toHaveLength(6000);
    expect(new Set(stored.map((f) => `${f.rule_id} ${f.instance} ${f.resource}`)).size).toBe(6000);
    expect(stored.every((f) => f.status === 'open' && f.opened_in_scan === 'scan-1' && f.first_seen.toISOString() === '2026-01-01T00:00:00.000Z')).toBe(true);
    expect(stored.filter((f) => f.severity === 'critical')).toHaveLength(results.filter((r) => r.severity === 'critical').length);
    expect(await countHistory()).toEqual({ n: 6000, first: 6000 });

    const second = await findingsStep('scan-2', '2026-01-02T00:00:00Z');
    expect(second.history).toEqual([]); // no finding opened, reopened or resolved
    const after = await withState(paths, (db) => loadFindings(db, 'order by fingerprint'), { readOnly: true });
    // Only "seen in this scan" moves; status, first sight, reason and evidence stay as they were.
    const lasting = (f: (typeof stored)[number]) => ({ ...f, last_seen: null, last_scan_id: null });
    expect(after.map(lasting)).toEqual(stored.map(lasting));
    expect(after.every((f) => f.last_scan_id === 'scan-2' && f.last_seen.toISOString() === '2026-01-02T00:00:00.000Z')).toBe(true);
    expect(await countHistory()).toEqual({ n: 6000, first: 6000 });
  });
});
