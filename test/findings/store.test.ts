// Writing a scan's transitions stays within the state DB's memory limit for a large first scan.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { planTransitions } from '../../src/findings/lifecycle.js';
import { applyTransitions, loadFindings } from '../../src/findings/store.js';
import type { FindingInput } from '../../src/findings/model.js';
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
});
