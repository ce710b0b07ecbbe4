// The Zeek benchmark generator: deterministic bytes, and its truth matches what a Zeek import
// of the file counts (good records, masked/truncated rejects). Small sizes only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZeekLog } from '../../fixtures/zeek/generate.js';
import { json, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('zeek generator', () => {
  it('is deterministic and its truth matches the import', async () => {
    const a = join(tmp.dir, 'a.log');
    const b = join(tmp.dir, 'b.log');
    const truth = writeZeekLog(a, { log: 'conn', lines: 5000, seed: 3, malformedRate: 0.01 });
    writeZeekLog(b, { log: 'conn', lines: 5000, seed: 3, malformedRate: 0.01 });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(truth.goodLines + truth.malformedLines).toBe(5000);
    expect(truth.malformedLines).toBeGreaterThan(20);
    const r = await runCli(['import', 'zeek', a, '--json', '--data-dir', join(tmp.dir, 'd')], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ results: { linesRead: number; rejects: number }[] }>(r).results[0]).toMatchObject({ linesRead: 5000 + truth.headerLines, rejects: truth.malformedLines });
    const q = await runCli(['query', 'select sum(requests)::bigint n, sum(bytes_in)::bigint b from norm.egress', '--json', '--data-dir', join(tmp.dir, 'd')], { cwd: tmp.dir });
    expect(json<{ n: number; b: number }[]>(q)[0]).toEqual({ n: truth.goodLines, b: truth.bytesIn });
  });
});
