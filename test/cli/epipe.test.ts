// A reader that closes stdout early (`shadowscan query … | head -1`) ends the CLI quietly with
// exit 0, as `git log | head` users expect, instead of an EPIPE stack trace; other write errors
// (here: a full disk, /dev/full) are still reported and exit non-zero.
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';

const ENV: NodeJS.ProcessEnv = { ...process.env, SHADOWSCAN_LOG_LEVEL: 'warn', SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined };
/** 300,000 CSV rows (about 4 MB): far more than a pipe buffer holds, so the CLI is still writing when the reader leaves. */
const MANY_ROWS = "select range as r, 'row-' || range as s from range(300000)";

describe('stdout closed by the reader', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('exits 0 without a stack trace when the reader closes the pipe after the first line', async () => {
    const child = spawn(process.execPath, [BIN, 'query', MANY_ROWS, '--format', 'csv'], { cwd: tmp.dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (d: Buffer) => {
        seen += d.toString();
        const nl = seen.indexOf('\n');
        if (nl >= 0) {
          child.stdout.destroy(); // what `head -1` does after its line
          resolve(seen.slice(0, nl));
        }
      });
      child.on('error', reject);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(firstLine).toBe('r,s');
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|internal error|\n\s+at /);
    expect(stderr).toBe('');
  });

  it('keeps working, and exits 0 with its result on stdout, when the reader of stderr has gone (import … 2>&1 | head)', async () => {
    // The debug log (per-phase timings of the import) goes to stderr, which nobody reads any more.
    const log = join(tmp.dir, 'access.log');
    writeFileSync(log, '1717315200.123    120 10.0.0.1 TCP_MISS/200 1234 GET http://x.example/a - HIER_DIRECT/1.2.3.4 text/html\n');
    const env = { ...ENV, SHADOWSCAN_LOG_LEVEL: 'debug' };
    const child = spawn(process.execPath, [BIN, 'import', 'squid', log, '--json', '--data-dir', join(tmp.dir, 'd')], { cwd: tmp.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.destroy();
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ exit_code: 0, results: [{ status: 'ok', linesRead: 1, rowsWritten: 1 }] });
  });

  it('still reports other write errors (a full disk: /dev/full) with exit 2', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, 'query', MANY_ROWS, '--format', 'csv'], { cwd: tmp.dir, env: ENV, stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(2);
      expect(stderr).toMatch(/^error: cannot write the output: ENOSPC/m);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      closeSync(full);
    }
  });
});
