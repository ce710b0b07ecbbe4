// Faults injected by the Okta emulator (issue 4, acceptance 2): a 429 storm is waited out and
// costs no rows; a 500, a timeout or a truncated page on the apps listing beyond the retries
// leaves the instance partial (exit 3, never a crash) and the apps view on the previous
// complete snapshot, which a later clean scan then replaces.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import type { OktaFaults } from '../../fixtures/emulators/okta/index.js';
import { byStream, expectedCounts, query, rawCounts, scan, startWorld, writeOktaConfig, type OktaWorld } from '../helpers/okta.js';

let world: OktaWorld;
const tmp = tempDir();
// Small pages and a commit per page: the apps listing is 3 pages, page 1 commits before page 2
// fails. (The faults target apps; users and user_grants are left out to keep the suite fast.)
const STREAMS3 = ['apps', 'app_grants', 'system_log'] as const;
const config = { page_size: 10, checkpoint_pages: 1, streams: [...STREAMS3] };
let dir: string;
let previousSync: string;
let removed: string;

beforeAll(async () => {
  world = await startWorld();
  dir = join(tmp.dir, 'okta');
  mkdirSync(dir);
  writeOktaConfig(dir, world.emu.url, config);
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

describe('a 429 storm', () => {
  it('is waited out: every row is collected, and the 429s, retries and waits are in the run record', async () => {
    world.emu.resetStats();
    // The next 25 API requests get 429 E0000047 with X-Rate-Limit-Remaining 0 and a reset 3 s (virtual) ahead.
    world.emu.setFaults({ rateLimitStorm: { requests: 25, resetInMs: 3_000 } });
    const r = await scan(dir, world.env);
    world.emu.setFaults({});
    expect(r.code, r.stderr).toBe(0);
    expect(world.emu.stats.rateLimited).toBe(25);
    const results = byStream(r.results);
    const expected = expectedCounts(world.tenant);
    for (const s of STREAMS3) expect([s, results[s]!.status, results[s]!.rowsWritten]).toEqual([s, 'ok', expected[s]]);
    const counts = await rawCounts(dir, world.env);
    expect(STREAMS3.map((s) => [s, counts[s]])).toEqual(STREAMS3.map((s) => [s, expected[s]]));
    const sum = (k: 'throttled' | 'retries' | 'waits' | 'requests') => r.results.reduce((n, x) => n + (x[k] ?? 0), 0);
    expect(sum('throttled')).toBe(25);
    expect(sum('retries')).toBeGreaterThanOrEqual(25);
    expect(sum('waits')).toBeGreaterThanOrEqual(25);
    // Every request the emulator answered was counted by the scanner, 429s included.
    expect(sum('requests')).toBe(world.emu.stats.requests);
    // The storm hit the first stream: its record carries the 429s and the time waited for the resets.
    expect(results.apps!.throttled).toBe(25);
    expect(results.apps!.waitMs).toBeGreaterThanOrEqual(25 * 1_000);

    // The same facts are persisted in the run record, as `status` shows it.
    const status = await runCli(['status', '--json'], { cwd: dir, env: world.env });
    expect(status.code, status.stderr).toBe(0);
    const apps = json<Record<string, unknown>[]>(status).find((x) => x.stream === 'apps');
    expect(apps).toMatchObject({ instance: 'okta-prod', status: 'ok', rows_written: expected.apps, requests: results.apps!.requests, throttled: 25 });
    expect(apps!.retries).toBeGreaterThanOrEqual(25);
    expect(apps!.waits).toBeGreaterThanOrEqual(25);
    expect(apps!.wait_ms).toBeGreaterThanOrEqual(25 * 1_000);
    // This complete scan is the snapshot the failing scans below must leave in place.
    previousSync = results.apps!.syncId;
  });
});

describe('the apps listing fails beyond the retries', () => {
  beforeAll(() => {
    // The provider changes after the complete sync: if a failed sync were shown, the app would vanish.
    removed = world.tenant.answerKey.find((a) => a.id === 'notion-sheets-sync')!.app_id!;
    expect(world.emu.removeApp(removed)).toBe(true);
  });

  async function expectPreviousSnapshot(): Promise<void> {
    const [v] = await query<{ n: number; syncs: string[]; has_removed: boolean; norm: number }>(
      dir,
      `select count(*) as n, list(distinct _sync_id) as syncs, bool_or(id = '${removed}') as has_removed,
              (select count(*) from norm.apps where instance = 'okta-prod') as norm
         from raw.okta_apps`,
      world.env,
    );
    expect(v).toEqual({ n: 25, syncs: [previousSync], has_removed: true, norm: 25 });
  }

  const cases: { name: string; faults: OktaFaults; status: 'partial' | 'failed'; error: RegExp }[] = [
    {
      name: 'HTTP 500 on page 2',
      faults: { serverError: [{ path: '/api/v1/apps', page: 2, times: 3 }] },
      status: 'partial',
      error: /^GET \/api\/v1\/apps: HTTP 500 after 3 attempts$/,
    },
    {
      name: 'a timeout (slow responses)',
      faults: { slow: { delayMs: 1_500, requests: 3, pathPrefix: '/api/v1/apps' } },
      status: 'failed',
      error: /^GET \/api\/v1\/apps: .*timeout.* \(after 3 attempts\)$/,
    },
    {
      name: 'truncated JSON on page 2',
      faults: { truncate: [{ path: '/api/v1/apps', page: 2, times: 3 }] },
      status: 'partial',
      error: /^GET \/api\/v1\/apps: HTTP 200 with an unreadable \(truncated\?\) body after 3 attempts$/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: instance partial with the reason, exit 3, and the apps view keeps the previous complete sync`, async () => {
      world.emu.setFaults(c.faults);
      const r = await scan(dir, world.env);
      world.emu.setFaults({});
      expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(3);
      expect(r.stderr).not.toMatch(/internal error/);
      const results = byStream(r.results);
      // page 1 (10 apps) was committed before page 2 failed; a timeout fails page 1 already.
      expect(results.apps).toMatchObject({ status: c.status, rowsWritten: c.status === 'partial' ? 10 : 0 });
      expect(results.apps!.retries).toBeGreaterThanOrEqual(2); // max_retries: 2, used up on the failing page
      expect(results.apps!.error).toMatch(c.error);
      expect(results.apps!.hint).toMatch(c.name.includes('timeout') ? /connection to the org kept failing.*run the scan again/ : /^Okta kept failing; run the scan again/);
      // The grants fan-out needs the whole app list, so it does not pretend to be complete.
      expect(results.app_grants).toMatchObject({ status: 'failed', error: 'app_grants not synced: the apps listing did not complete' });
      expect(results.system_log!.status).toBe('ok');
      await expectPreviousSnapshot();
    });
  }

  it('the next clean scan completes, and only then does the removed app leave the views', async () => {
    const r = await scan(dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    const [v] = await query<{ n: number; has_removed: boolean; syncs: number }>(
      dir,
      `select count(*) as n, coalesce(bool_or(app_id = '${removed}'), false) as has_removed,
              (select count(distinct _sync_id) from raw.okta_apps) as syncs
         from norm.apps`,
      world.env,
    );
    expect(v).toEqual({ n: 24, has_removed: false, syncs: 1 });
    expect(byStream(r.results).apps!.syncId).not.toBe(previousSync);
  });
});
