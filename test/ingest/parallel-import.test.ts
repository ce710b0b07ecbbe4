// A directory or glob of log files is read in parallel lanes within the DuckDB thread budget:
// files that may be one log at two points in time (rotated or gzip'd copies, a file that grew)
// share a lane and run in order; every line still counts exactly once, commits land in file
// order, and reject examples come in file order whatever order the files finish in. Synthetic.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { sameLogLanes } from '../../src/ingest/fileimport.js';
import { locateLines } from '../../src/ingest/filesource.js';
import { zeekHeader, zeekSslLine, zeekUid } from '../../fixtures/zeek/format.js';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { committedFiles } from '../helpers/lake.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const T0 = Date.UTC(2026, 0, 6, 0);
const HOUR = 3_600_000;

/** One hourly-rotated Zeek ssl.log: its own #open time, `count` records in that hour. */
function sslLog(hour: number, count: number, bad: string[] = []): string {
  const open = T0 + hour * HOUR;
  const lines = Array.from({ length: count }, (_, i) =>
    zeekSslLine({ tsMs: open + i * 1000, uid: zeekUid(hour * 10_000 + i), origH: `10.0.0.${hour + 1}`, origP: 40000 + i, respH: '192.0.2.9', respP: 443, serverName: 'api.openai.com' }),
  );
  return [...zeekHeader('ssl', open), ...lines.slice(0, 2), ...bad, ...lines.slice(2)].join('\n') + '\n';
}

describe('lanes', () => {
  it('puts rotated/gzip copies and a grown file with their original, and independent logs apart', async () => {
    const dir = join(tmp.dir, 'lanes');
    mkdirSync(dir);
    const a = sslLog(0, 40);
    writeFileSync(join(dir, 'a.log'), a);
    writeFileSync(join(dir, 'a.log.1'), a);
    writeFileSync(join(dir, 'a.log.2.gz'), gzipSync(a));
    writeFileSync(join(dir, 'b.log'), sslLog(1, 40));
    const small = 'short line one\nshort line two\n';
    writeFileSync(join(dir, 'c.log'), small);
    writeFileSync(join(dir, 'd.log'), `${small}and more lines later\n`);
    const files = ['a.log', 'b.log', 'c.log', 'a.log.1', 'd.log', 'a.log.2.gz'].map((f) => ({ path: join(dir, f), gzip: f.endsWith('.gz') }));
    const lanes = await sameLogLanes(files);
    expect(lanes.map((l) => l.map((i) => files[i]!.path.slice(dir.length + 1))).sort((x, y) => x[0]!.localeCompare(y[0]!))).toEqual([
      ['a.log', 'a.log.1', 'a.log.2.gz'],
      ['b.log'],
      ['c.log', 'd.log'],
    ]);
  });
});

describe('reject line numbers', () => {
  it('are found for examples out of file order (parallel imports share DuckDB settings)', () => {
    const p = join(tmp.dir, 'order.log');
    writeFileSync(p, 'alpha\nbravo\ncharlie\ndelta\n');
    expect(locateLines(p, ['charlie', 'alpha', 'delta', 'zulu'], 11)).toEqual([13, 11, 14, undefined]);
  });
});

describe('importing a directory', () => {
  it('reads independent files in parallel (2 threads), each line once, commits and examples in file order', async () => {
    const cwd = join(tmp.dir, 'dir');
    const logs = join(cwd, 'zeek');
    mkdirSync(logs, { recursive: true });
    for (let h = 0; h < 5; h++) writeFileSync(join(logs, `ssl.0${h}.log`), sslLog(h, 200 + h, h === 1 || h === 3 ? [`broken line in hour ${h}`] : []));
    // A gzip'd copy of hour 0, as log rotation leaves it: the same lines, not counted again.
    writeFileSync(join(logs, 'ssl.00.log.gz'), gzipSync(sslLog(0, 200)));
    copyFileSync(join(logs, 'ssl.02.log'), join(logs, 'ssl.02.log.bak'));
    writeFileSync(join(cwd, 'shadowscan.yaml'), 'duckdb: { threads: 2, memory_limit: 512MB }\n');
    const r = await runCli(['import', 'zeek', 'zeek', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const res = json<{ results: { rejects: number; rejectExamples: string[]; files: number }[] }>(r).results[0]!;
    expect(res.rejects).toBe(2);
    expect(res.rejectExamples.map((e) => e.replace(/^.*\/zeek\//, '').split(' ')[0])).toEqual(['ssl.01.log:11:', 'ssl.03.log:11:']);
    const q = await runCli(['query', 'select src_ip, sum(requests)::bigint n from norm.egress group by 1 order by 1', '--json'], { cwd });
    expect(json<{ src_ip: string; n: number }[]>(q)).toEqual([0, 1, 2, 3, 4].map((h) => ({ src_ip: `10.0.0.${h + 1}`, n: 200 + h })));
    // Five files had new lines: five chunks, committed in file order (ssl.00 first).
    const commits = await committedFiles(join(cwd, '.shadowscan'));
    expect(commits).toHaveLength(5);
    const db = await DuckDBInstance.create(join(cwd, '.shadowscan', 'state.duckdb'), { access_mode: 'READ_ONLY' });
    const conn = await db.connect();
    const detail = JSON.parse(String((await conn.runAndReadAll('select detail from syncs')).getRowObjectsJS()[0]!.detail)) as { files: number; lanes: number; parallel: number };
    const cursors = (await conn.runAndReadAll('select path from file_cursors order by updated_at, path')).getRowObjectsJS().map((c) => String(c.path).replace(/^.*\/zeek\//, ''));
    conn.closeSync();
    db.closeSync();
    expect(detail).toEqual({ files: 7, lanes: 5, parallel: 2 });
    expect(cursors[0]).toBe('ssl.00.log');
    // Importing the directory again reads nothing.
    const again = await runCli(['import', 'zeek', 'zeek', '--json'], { cwd });
    expect(json<{ results: { linesRead: number }[] }>(again).results[0]!.linesRead).toBe(0);
  });
});
