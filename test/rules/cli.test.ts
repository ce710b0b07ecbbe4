// `shadowscan rules list|test|run` through the real CLI: user rule folders from config, loader
// problems as file:line: field: message with exit 2, failing cases with exit 2, thresholds from
// config changing a result, and skip (exit 3) for an instance whose source never ran.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { GOOD_SQL, GOOD_YAML, writeRules } from './fixtures.js';

const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined };
const tmp = tempDir('shadowscan-rules-cli-');
const dir = (name: string) => join(tmp.dir, name);

function workspace(name: string, rules: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const cwd = dir(name);
  writeRules(cwd, { 'shadowscan.yaml': stringify({ data_dir: '.shadowscan', rules, ...extra }) });
  return cwd;
}
const cli = (cwd: string, args: string[]) => runCli(args, { cwd, env: ENV });

interface RunOutput {
  rule: string;
  sources: { instance: string; view: string; state: string }[];
  results: { instance: string; resource: string; status: string; reason: string; evidence: Record<string, unknown> }[];
}

beforeAll(() => {
  writeRules(dir('rules-good'), { 'egress/busy-domain.yaml': GOOD_YAML, 'egress/busy-domain.sql': GOOD_SQL });
  writeRules(dir('rules-failing'), {
    'egress/busy-domain.yaml': GOOD_YAML.replace('- { resource: openai.com, status: ok }', '- { resource: openai.com, status: alarm }'),
    'egress/busy-domain.sql': GOOD_SQL,
  });
  writeRules(dir('rules-bad'), {
    'egress/busy-domain.yaml': GOOD_YAML.replace('severity: low', 'severity: urgent').replace('risk: Lots of traffic.', 'risk: Lots of traffic.\nowner: me'),
    'egress/busy-domain.sql': GOOD_SQL,
    'egress/renamed.yaml': GOOD_YAML,
    'egress/renamed.sql': GOOD_SQL,
    'egress/broken.yaml': 'id: broken\ntitle: Broken\ntitle: again\n',
    'egress/broken.sql': GOOD_SQL,
  });
});
afterAll(tmp.cleanup);

describe('rules list', () => {
  it('lists the built-in rules and those of rules.dirs', async () => {
    const cwd = workspace('ws-list', { dirs: ['../rules-good'] });
    const r = await cli(cwd, ['rules', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = json<{ id: string; severity: string; requires: string[]; thresholds: Record<string, number> }[]>(r);
    expect(rows.map((x) => x.id).sort()).toEqual(['busy-domain', 'over-scoped-grant', 'risky-scope-grant', 'unregistered-app', 'unregistered-egress']);
    expect(rows.find((x) => x.id === 'unregistered-egress')).toMatchObject({ severity: 'medium', thresholds: { egress_min_users: 1 } });
    expect(rows.find((x) => x.id === 'busy-domain')).toMatchObject({ severity: 'low', requires: ['norm.egress'] });
  });

  it('exits 2 listing every problem of a bad rule folder as file:line: field: message', async () => {
    const cwd = workspace('ws-bad', { dirs: ['../rules-bad'] });
    for (const sub of ['list', 'test']) {
      const r = await cli(cwd, ['rules', sub]);
      expect(r.code, `${sub}: ${r.stderr}`).toBe(2);
      const file = (f: string) => join(dir('rules-bad'), 'egress', f);
      expect(r.stderr).toContain('error: the rules have 4 problems:');
      expect(r.stderr).toContain(`${file('broken.yaml')}:3: YAML: Map keys must be unique`);
      expect(r.stderr).toContain(`${file('busy-domain.yaml')}:3: severity: must be one of critical, high, medium, low, info, got "urgent"`);
      expect(r.stderr).toContain(`${file('busy-domain.yaml')}:6: owner: unknown field`);
      expect(r.stderr).toContain(`${file('renamed.yaml')}:1: id: must equal the file name: renamed (got busy-domain)`);
      expect(r.stdout).toBe('');
    }
  });

  it('exits 2 when the config sets a threshold no rule declares', async () => {
    const cwd = workspace('ws-typo', { thresholds: { egress_min_user: 2 } });
    const r = await cli(cwd, ['rules', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rules.thresholds.egress_min_user: no rule declares this threshold');
  });
});

describe('rules test', () => {
  it('runs every case of every rule and exits 0 when all pass', async () => {
    const cwd = workspace('ws-test', { dirs: ['../rules-good'] });
    const r = await cli(cwd, ['rules', 'test']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('PASS  busy-domain: many requests alarm\n');
    expect(r.stdout).toContain('PASS  unregistered-app: a partial grants source skips that instance only\n');
    expect(r.stdout).toMatch(/\n\d+ passed, 0 failed \(5 rules\)\n$/);
    expect(r.stdout).not.toContain('FAIL');
  });

  it('exits 2 and shows what was missing and unexpected when a case fails', async () => {
    const cwd = workspace('ws-failing', { dirs: ['../rules-failing'] });
    const r = await cli(cwd, ['rules', 'test', 'busy-domain']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('PASS  busy-domain: many requests alarm\n');
    expect(r.stdout).toContain('FAIL  busy-domain: few requests are ok\n      missing: alarm "openai.com" | unexpected: ok "openai.com" in proxy-hq (requests: 2)\n');
    expect(r.stdout).toContain('1 passed, 1 failed (1 rule)');
    expect(r.stderr).toContain('1 rule test case failed');
  });

  it('exits 2 for an unknown rule id', async () => {
    const r = await cli(workspace('ws-unknown', {}), ['rules', 'test', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: no rule nope');
  });
});

describe('rules run', () => {
  const now = Date.now();
  const log = [12, 3].flatMap((count, d) =>
    Array.from({ length: count }, (_, i) => formatSquidNativeLine({
      tsMs: now - 3_600_000 + i * 1000, elapsedMs: 10, clientIp: '10.0.0.3', resultCode: 'TCP_TUNNEL', httpStatus: 200, bytes: 100,
      method: 'CONNECT', url: d === 0 ? 'api.openai.com:443' : 'github.com:443', user: 'ann', hierarchy: 'HIER_DIRECT/1.2.3.4', contentType: '-',
    })),
  ).sort().map((l) => `${l}\n`).join('');

  async function importedWorkspace(name: string, rules: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
    const cwd = workspace(name, { dirs: ['../rules-good'], ...rules }, extra);
    writeFileSync(join(cwd, 'access.log'), log);
    const r = await cli(cwd, ['import', 'squid', 'access.log']);
    expect(r.code, r.stderr).toBe(0);
    return cwd;
  }

  it('runs one rule over the lake; a threshold from config changes its result', async () => {
    const byDefault = await cli(await importedWorkspace('ws-run-default', {}), ['rules', 'run', 'busy-domain', '--json']);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const out = json<RunOutput>(byDefault);
    expect(out.sources).toEqual([{ instance: 'squid', view: 'norm.egress', state: 'complete' }]);
    expect(out.results.map((r) => [r.instance, r.resource, r.status, r.evidence.requests])).toEqual([
      ['squid', 'github.com', 'ok', 3],
      ['squid', 'openai.com', 'alarm', 12],
    ]);

    const raised = await cli(await importedWorkspace('ws-run-threshold', { thresholds: { min_requests: 20 } }), ['rules', 'run', 'busy-domain', '--json']);
    expect(raised.code, raised.stderr).toBe(0);
    expect(json<RunOutput>(raised).results.map((r) => [r.resource, r.status])).toEqual([['github.com', 'ok'], ['openai.com', 'ok']]);
  });

  it('skips (exit 3) a configured instance whose source never ran, and keeps the results of the complete one', async () => {
    const cwd = await importedWorkspace('ws-run-missing', {}, { instances: { 'proxy-hq': { type: 'squid', paths: ['/nonexistent/access.log'] } } });
    const r = await cli(cwd, ['rules', 'run', 'busy-domain', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const out = json<RunOutput>(r);
    expect(out.results.map((x) => [x.instance, x.resource, x.status])).toEqual([
      ['proxy-hq', '*', 'skip'],
      ['squid', 'github.com', 'ok'],
      ['squid', 'openai.com', 'alarm'],
    ]);
    expect(out.results[0]!.reason).toBe('skipped: norm.egress is missing (proxy-hq/egress_hourly was never synced)');
  });

  it('prints a table on request and exits 2 for an unknown rule', async () => {
    const cwd = await importedWorkspace('ws-run-table', {});
    const table = await cli(cwd, ['rules', 'run', 'busy-domain', '--format', 'table']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^instance\s+status\s+resource\s+reason\n/);
    expect(table.stdout).toMatch(/squid\s+alarm\s+openai\.com\s+requests: 12/);
    const unknown = await cli(cwd, ['rules', 'run', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: no rule nope');
  });
});
