// Config loading through the real CLI: every problem of shadowscan.yaml is reported at once as
// "<file>:<line> <path>: <message>" with exit 2 and no stack trace; `init` writes a file that
// loads cleanly and never overwrites one without --force.
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

/** The child must not pick up config/data-dir overrides or the "missing" variable from the parent. */
const ENV: NodeJS.ProcessEnv = {
  SHADOWSCAN_CONFIG: undefined,
  SHADOWSCAN_DATA_DIR: undefined,
  SHADOWSCAN_TEST_MISSING_VAR: undefined,
  SHADOWSCAN_CRASH_AT: undefined,
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Line numbers matter: the assertions below name them.
const BAD_CONFIG = [
  /* 1 */ 'data_dir: .shadowscan',
  /* 2 */ 'duckdb:',
  /* 3 */ '  memory_limt: 1GB',
  /* 4 */ 'rules:',
  /* 5 */ '  window_days: "thirty"',
  /* 6 */ 'instances:',
  /* 7 */ '  proxy-hq:',
  /* 8 */ '    type: squid',
  /* 9 */ '    paths:',
  /* 10 */ '      - /var/log/${SHADOWSCAN_TEST_MISSING_VAR}/access.log',
  /* 11 */ '    format: auto',
].join('\n');

describe('a config with several problems', () => {
  const tmp = tempDir('shadowscan-cli-config-');
  const file = join(tmp.dir, 'shadowscan.yaml');
  let r: CliResult;
  afterAll(tmp.cleanup);

  beforeAll(async () => {
    writeFileSync(file, `${BAD_CONFIG}\n`);
    r = await runCli(['status'], { cwd: tmp.dir, env: ENV });
  });

  it('exits 2 and lists every problem at once, each with file:line and config path, without a stack trace', () => {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/the config has 3 problems/);
    const f = escapeRe(file);
    // (a) unknown key, at the line of the misspelt key
    expect(r.stderr).toMatch(new RegExp(`${f}:3 duckdb\\.memory_limt: unknown key`));
    // (b) wrong type, at the line of the key
    expect(r.stderr).toMatch(new RegExp(`${f}:5 rules\\.window_days: .*expected number`));
    // (c) missing environment variable, named, with the config path of the list item
    expect(r.stderr).toMatch(new RegExp(`${f}:\\d+ instances\\.proxy-hq\\.paths\\.0: environment variable SHADOWSCAN_TEST_MISSING_VAR is not set`));
    // each problem on its own line
    const problemLines = r.stderr.split('\n').filter((l) => l.includes(`${file}:`));
    expect(problemLines).toHaveLength(3);
    // a user error, not a crash: no stack frames, no "internal error"
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(r.stderr).not.toMatch(/internal error|\.ts:\d+:\d+/);
  });

  it('points a problem inside a list at the line of the list item', () => {
    // `paths:` is line 9; the item holding ${SHADOWSCAN_TEST_MISSING_VAR} is line 10.
    expect(r.stderr).toMatch(new RegExp(`${escapeRe(file)}:10 instances\\.proxy-hq\\.paths\\.0: `));
  });
});

describe('init', () => {
  const tmp = tempDir('shadowscan-cli-init-');
  const file = join(tmp.dir, 'shadowscan.yaml');
  afterAll(tmp.cleanup);

  it('writes a commented shadowscan.yaml (0600) that then loads cleanly', async () => {
    const init = await runCli(['init'], { cwd: tmp.dir, env: ENV });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(file);
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^instances:$/m);
    expect(text).toMatch(/^\s+type: squid$/m);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The file exists, so status must load it (a broken template would exit 2).
    const status = await runCli(['status'], { cwd: tmp.dir, env: ENV });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(/nothing has been scanned or imported yet/);
  });

  it('refuses to overwrite an existing file without --force (exit 2, file untouched)', async () => {
    appendFileSync(file, '# local edit that must survive\n');
    const before = readFileSync(file, 'utf8');
    const again = await runCli(['init'], { cwd: tmp.dir, env: ENV });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${file} already exists`);
    expect(again.stderr).toContain('--force');
    expect(again.stderr).not.toMatch(/^ {4}at /m);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
