// `status` reports what an import read (lines, rejects with file:line examples) and `purge`
// removes exactly the day partitions before a date: --dry-run removes nothing, a non-TTY run
// needs --yes, and a bad date is refused.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { json, runCli, tempDir } from '../helpers/cli.js';

const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined, SHADOWSCAN_CRASH_AT: undefined };

const DAYS = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
const HOURS = [1, 9, 17];
/** 1-based line numbers of the two malformed lines in the written file. */
const BAD_AT = [4, 11];

function logLines(): string[] {
  const good: string[] = [];
  DAYS.forEach((day, d) => {
    HOURS.forEach((h, k) => {
      good.push(
        formatSquidNativeLine({
          tsMs: Date.parse(`${day}T${String(h).padStart(2, '0')}:15:00Z`),
          elapsedMs: 99,
          clientIp: '10.0.0.5',
          resultCode: 'TCP_TUNNEL',
          httpStatus: 200,
          bytes: 100 * (d + 1) + k,
          method: 'CONNECT',
          url: `${['api.openai.com', 'hooks.zapier.com', 'github.com'][k]}:443`,
          user: 'eve',
          hierarchy: 'HIER_DIRECT/1.2.3.4',
          contentType: '-',
        }),
      );
    });
  });
  const lines = [...good];
  lines.splice(BAD_AT[0]! - 1, 0, 'this is not a squid line');
  lines.splice(BAD_AT[1]! - 1, 0, '1767312000.000 truncated GET http://x.example.com/');
  return lines;
}

interface PurgeSummary { before: string; files: number; bytes: number; dry_run: boolean; days: string[]; removed: boolean }

describe('status and purge', () => {
  const tmp = tempDir('shadowscan-cli-purge-');
  const cwd = tmp.dir;
  const dataDir = join(cwd, 'data');
  const lake = join(dataDir, 'lake', 'instance=proxy-hq', 'stream=egress_hourly');
  const log = join(cwd, 'access.log');
  const cli = (...args: string[]) => runCli(['--data-dir', dataDir, ...args], { cwd, env: ENV });
  const dayDirs = () => readdirSync(lake).sort();
  const goodLines = DAYS.length * HOURS.length;
  afterAll(tmp.cleanup);

  beforeAll(async () => {
    const lines = logLines();
    expect(lines[BAD_AT[0]! - 1]).toBe('this is not a squid line');
    writeFileSync(log, lines.map((l) => `${l}\n`).join(''));
    const r = await cli('import', 'squid', log, '--instance', 'proxy-hq', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(dayDirs()).toEqual(DAYS.map((d) => `day=${d}`));
  });

  it('status --json shows the instance with the lines read, rejects and file:line examples', async () => {
    const r = await cli('status', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = json<{ instance: string; stream: string; status: string; lines_read: number; rows_written: number; rejects: number; reject_examples: string[]; files_tracked: number }[]>(r);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      instance: 'proxy-hq',
      stream: 'egress_hourly',
      status: 'ok',
      lines_read: goodLines + 2,
      rows_written: goodLines, // one hourly row per good line: every line is a different hour
      rejects: 2,
      files_tracked: 1,
    });
    expect(row.reject_examples).toHaveLength(2);
    expect(row.reject_examples[0]).toMatch(new RegExp(`^${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${BAD_AT[0]}: .*this is not a squid line`));
    expect(row.reject_examples[1]).toMatch(new RegExp(`^${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${BAD_AT[1]}: .*truncated GET`));
  });

  it('purge --dry-run reports the files before the date and removes nothing', async () => {
    const r = await cli('purge', '--before', '2026-01-03', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    const plan = json<PurgeSummary>(r);
    expect(plan).toMatchObject({ before: '2026-01-03', files: 2, dry_run: true, removed: false, days: ['2026-01-01', '2026-01-02'] });
    expect(plan.bytes).toBeGreaterThan(0);
    expect(dayDirs()).toEqual(DAYS.map((d) => `day=${d}`));
    const q = await cli('query', 'select sum(requests)::bigint as r, count(distinct hour::date) as days from norm.egress', '--json');
    expect(q.code, q.stderr).toBe(0);
    expect(json(q)).toEqual([{ r: goodLines, days: 5 }]);
  });

  it('refuses a bad --before date (exit 2)', async () => {
    const r = await cli('purge', '--before', 'not-a-date', '--dry-run', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--before must be a date/);
    expect(r.stdout).toBe('');
  });

  it('refuses an impossible calendar date instead of rolling it over (2026-02-30 is not 2026-03-02)', async () => {
    const r = await cli('purge', '--before', '2026-02-30', '--dry-run', '--json');
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
  });

  it('purge without --yes and without a terminal exits 2 and removes nothing', async () => {
    const r = await cli('purge', '--before', '2026-01-03');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(dayDirs()).toEqual(DAYS.map((d) => `day=${d}`));
  });

  it('purge --yes removes exactly the days before the date', async () => {
    const r = await cli('purge', '--before', '2026-01-03', '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json<PurgeSummary>(r)).toMatchObject({ files: 2, removed: true, days: ['2026-01-01', '2026-01-02'] });
    expect(dayDirs()).toEqual(['day=2026-01-03', 'day=2026-01-04', 'day=2026-01-05']);
    expect(existsSync(join(lake, 'day=2026-01-01'))).toBe(false);

    const q = await cli('query', 'select min(hour) as first_hour, sum(requests)::bigint as r, count(distinct hour::date) as days from norm.egress', '--json');
    expect(q.code, q.stderr).toBe(0);
    expect(json(q)).toEqual([{ first_hour: '2026-01-03T01:00:00.000Z', r: 3 * HOURS.length, days: 3 }]);
  });
});
