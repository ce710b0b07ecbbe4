// Tailing cursors (DESIGN.md "Storage" item 9): the same file twice, an appended file, a rotated
// copy (renamed, and gzip'd) and a small file growing past the 1 KB identity head each count
// every line exactly once.
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { squidLines, text } from '../helpers/squid.js';

interface Totals { requests: number; lines: number }

describe('import counts each line exactly once', () => {
  const tmp = tempDir();
  const cwd = tmp.dir;
  const log = join(cwd, 'access.log');
  afterAll(tmp.cleanup);

  async function totals(): Promise<Totals> {
    const r = await runCli(['query', 'select coalesce(sum(requests), 0)::bigint as requests from norm.egress', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const status = json<{ lines_read: number }[]>(await runCli(['status', '--json'], { cwd }));
    return { requests: json<{ requests: number }[]>(r)[0]!.requests, lines: status[0]?.lines_read ?? 0 };
  }

  async function importFiles(...files: string[]) {
    const r = await runCli(['import', 'squid', ...files, '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    return json<{ results: { linesRead: number; rejects: number }[] }>(r).results[0]!;
  }

  beforeAll(() => writeFileSync(log, text(squidLines(500))));

  it('imports the file once, then reads nothing new from the same file', async () => {
    expect((await importFiles(log)).linesRead).toBe(500);
    expect((await totals()).requests).toBe(500);
    expect((await importFiles(log)).linesRead).toBe(0);
    expect((await totals()).requests).toBe(500);
  });

  it('reads only the appended lines, and holds back an unterminated last line until it is complete', async () => {
    const more = squidLines(120, { offset: 500 });
    appendFileSync(log, text(more.slice(0, 100)) + more[100]!.slice(0, 20));
    expect((await importFiles(log)).linesRead).toBe(100);
    appendFileSync(log, `${more[100]!.slice(20)}\n${text(more.slice(101))}`);
    expect((await importFiles(log)).linesRead).toBe(20);
    expect((await totals()).requests).toBe(620);
  });

  it('recognises a rotated copy (renamed and gzip-compressed) and a new file in its place', async () => {
    const rotated = join(cwd, 'access.log.1');
    renameSync(log, rotated);
    // Squid wrote a few more lines into the old file just before rotation.
    const tail = squidLines(30, { offset: 620 });
    appendFileSync(rotated, text(tail));
    writeFileSync(join(cwd, 'access.log.2.gz'), gzipSync(Buffer.from(text([...squidLines(620), ...tail]))));
    writeFileSync(log, text(squidLines(70, { offset: 10_000 })));
    const r = await importFiles(join(cwd, 'access.log*'));
    expect(r.linesRead).toBe(30 + 70);
    expect((await totals()).requests).toBe(720);
  });

  it('follows a small file whose identity head grows past 1 KB', async () => {
    const small = join(cwd, 'small.log');
    writeFileSync(small, text(squidLines(2, { offset: 50_000 })));
    expect((await importFiles(small)).linesRead).toBe(2);
    appendFileSync(small, text(squidLines(40, { offset: 50_002 })));
    expect((await importFiles(small)).linesRead).toBe(40);
    expect((await importFiles(small)).linesRead).toBe(0);
    expect((await totals()).requests).toBe(762);
  });
});
