// The System Log is read incrementally in Okta's polling mode (issue 4, acceptance 3): the next
// sync follows the persisted `next` link, so it costs at most 1 + ⌈new events / page size⌉
// requests, and no event is stored twice (checked on the Parquet files themselves, not through
// the deduplicating view).
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { byStream, query, scan, startWorld, writeOktaConfig, type OktaWorld } from '../helpers/okta.js';
import type { OktaLogEvent } from '../../fixtures/tenant/index.js';

const PAGE = 100;
let world: OktaWorld;
const tmp = tempDir();

beforeAll(async () => {
  world = await startWorld();
  writeOktaConfig(tmp.dir, world.emu.url, { streams: ['system_log'], logs: { since_days: 15, page_size: PAGE } });
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

/** Every System Log row stored in the lake, read straight from the Parquet files. */
async function stored(): Promise<{ rows: number; uuids: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const glob = join(tmp.dir, '.shadowscan', 'lake', 'instance=*', 'stream=system_log', '**', '*.parquet');
  const [r] = (await conn.runAndReadAll(`select count(*)::int as rows, count(distinct uuid)::int as uuids from read_parquet('${glob}', hive_partitioning = true)`)).getRowObjectsJS();
  conn.closeSync();
  db.closeSync();
  return r as { rows: number; uuids: number };
}

function logRequests(): number {
  return world.emu.stats.byRoute['/api/v1/logs'] ?? 0;
}

function newEvents(n: number, tag: string): OktaLogEvent[] {
  const template = world.tenant.okta.systemLog.at(world.tenant.okta.systemLog.length - 1);
  const now = world.clock.now();
  return Array.from({ length: n }, (_, i) => ({
    ...template,
    uuid: `${tag}-0000-4000-8000-${String(i).padStart(12, '0')}`,
    published: new Date(now - (n - i) * 10).toISOString(),
  }));
}

describe('System Log polling', () => {
  it('the first sync reads the whole log once, ending on the empty page that still has rel="next"', async () => {
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    const total = world.tenant.okta.systemLog.length;
    expect(byStream(r.results).system_log).toMatchObject({ status: 'ok', rowsWritten: total, requests: total / PAGE + 1 });
    expect(logRequests()).toBe(total / PAGE + 1);
    expect(await stored()).toEqual({ rows: total, uuids: total });
  });

  it('the second sync after 250 new events makes at most 1 + ⌈250 / 100⌉ requests and stores each new event once', async () => {
    const before = logRequests();
    world.emu.appendLogEvents(newEvents(250, 'aaaaaaaa'));
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    const requests = logRequests() - before;
    expect(requests).toBeLessThanOrEqual(1 + Math.ceil(250 / PAGE));
    expect(byStream(r.results).system_log).toMatchObject({ status: 'ok', rowsWritten: 250, requests });
    const total = world.tenant.okta.systemLog.length + 250;
    expect(await stored()).toEqual({ rows: total, uuids: total });
    const [v] = await query<{ n: number; d: number; fresh: number }>(
      tmp.dir,
      "select count(*) as n, count(distinct uuid) as d, count(*) filter (where uuid like 'aaaaaaaa-%') as fresh from raw.okta_system_log",
      world.env,
    );
    expect(v).toEqual({ n: total, d: total, fresh: 250 });
  });

  it('with nothing new, the next sync is one request and stores nothing', async () => {
    const before = logRequests();
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(logRequests() - before).toBe(1);
    expect(byStream(r.results).system_log).toMatchObject({ status: 'ok', rowsWritten: 0, requests: 1 });
    const total = world.tenant.okta.systemLog.length + 250;
    expect(await stored()).toEqual({ rows: total, uuids: total });
  });
});
