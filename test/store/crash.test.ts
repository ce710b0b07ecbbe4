// Crash safety (DESIGN.md "Storage" item 1): SIGKILL at each named point of an import, then
// check the point was reached, nothing uncommitted is visible, the next run succeeds, and the
// totals equal a clean run's.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { squidLines, text } from '../helpers/squid.js';
import { committedFiles, lakeFiles } from '../helpers/lake.js';

const POINTS = ['mid-parse', 'mid-parquet-write', 'after-move-before-commit', 'after-commit'] as const;

const tmp = tempDir();
afterAll(tmp.cleanup);
const files = ['a.log', 'b.log', 'c.log'].map((f) => join(tmp.dir, f));

beforeAll(() => {
  // Three files on different days, 300 lines each, with 2 malformed lines in b.
  writeFileSync(files[0]!, text(squidLines(300, { startMs: Date.UTC(2026, 0, 1) })));
  writeFileSync(files[1]!, `${text(squidLines(150, { startMs: Date.UTC(2026, 0, 2) }))}garbage line\n1717 broken\n${text(squidLines(150, { startMs: Date.UTC(2026, 0, 2), offset: 150 }))}`);
  writeFileSync(files[2]!, text(squidLines(300, { startMs: Date.UTC(2026, 0, 3) })));
});

async function totals(dataDir: string): Promise<{ requests: number; rows: number }> {
  const r = await runCli(['query', 'select coalesce(sum(requests), 0)::bigint as requests, count(*) as rows from norm.egress', '--json', '--data-dir', dataDir], { cwd: tmp.dir });
  expect(r.code, r.stderr).toBe(0);
  return json<{ requests: number; rows: number }[]>(r)[0]!;
}


describe('a clean run', () => {
  it('imports all three files', async () => {
    const dataDir = join(tmp.dir, 'clean');
    for (const f of files) expect((await runCli(['import', 'squid', f, '--data-dir', dataDir], { cwd: tmp.dir })).code).toBe(0);
    expect(await totals(dataDir)).toEqual({ requests: 900, rows: expect.any(Number) });
  });
});

describe.each(POINTS)('SIGKILL at %s', (point) => {
  it('leaves the last good state readable and the next run completes the import exactly once', async () => {
    const dataDir = join(tmp.dir, `crash-${point}`);
    const marker = join(tmp.dir, `marker-${point}`);
    // Earlier data: a.log committed cleanly.
    expect((await runCli(['import', 'squid', files[0]!, '--data-dir', dataDir], { cwd: tmp.dir })).code).toBe(0);

    const killed = await runCli(['import', 'squid', files[1]!, files[2]!, '--data-dir', dataDir], {
      cwd: tmp.dir,
      env: { SHADOWSCAN_CRASH_AT: point, SHADOWSCAN_CRASH_MARKER: marker },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(marker, 'utf8').trim()).toBe(point);

    // Before any recovery, readers see only committed data: a.log (+ b.log once its commit is recorded).
    // after-commit: b.log's commit landed — alone, or in one chunk with c.log when c.log (read in a
    // parallel lane) was already staged when b.log's turn to commit came.
    const visible = (await totals(dataDir)).requests;
    if (point === 'after-commit') expect([600, 900]).toContain(visible);
    else expect(visible).toBe(300);

    // The next run succeeds, recovers and reads what is missing, exactly once.
    const again = await runCli(['import', 'squid', files[1]!, files[2]!, '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(again.code, again.stderr).toBe(0);
    const result = json<{ results: { linesRead: number; rejects: number }[] }>(again).results[0]!;
    expect(result.linesRead).toBe(point === 'after-commit' ? (visible === 600 ? 300 : 0) : 602);

    const clean = await totals(join(tmp.dir, 'clean'));
    expect(await totals(dataDir)).toEqual(clean);
    // No orphan files: every Parquet file in the lake is named by a commit, and vice versa.
    expect(lakeFiles(dataDir)).toEqual(await committedFiles(dataDir));
    // The interrupted sync is recorded as such.
    const status = await runCli(['status', '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(json<{ status: string }[]>(status)[0]!.status).toBe('ok');
  });
});
