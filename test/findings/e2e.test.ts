// Findings end to end (issue 5 acceptance): the real CLI against the Okta emulator (through the
// real SDK) plus a Squid log, on a time-scaled clock shared with the CLI child. Each step builds
// on the previous one's state, in order: scan twice → stable; remove an app → resolved; make
// the instance fail → exit 3 and nothing in its scope resolves; --fail-on; suppress with expiry;
// a decision written while a scan runs survives it.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { json, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { startWorld, type OktaWorld } from '../helpers/okta.js';
import type { FlatFinding } from '../../src/export/findings-table.js';

// The listing's row shape is the exporters' (src/export/findings-table.ts).
type Flat = FlatFinding;

interface ScanOut {
  scan_id: string;
  exit_code: number;
  results: { instance: string; stream: string; status: string }[];
  evaluation: { skipped: { rule_id: string; instance: string }[]; findings: { new: number; resolved: number; reopened: number; open: number } };
}

const SCALE = 20;
const DAY = 86_400_000;
const OPERATOR = 'secops@acme-corp.example';
const OKTA = 'okta-prod';
const PROXY = 'proxy-hq';

let world: OktaWorld;
const tmp = tempDir('shadowscan-findings-e2e-');
let dir: string;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { cwd: dir, env: { ...world.env, ...env } });

async function scanJson(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult & { out: ScanOut }> {
  const r = await cli(['scan', '--json', ...args], env);
  return { ...r, out: json<ScanOut>(r) };
}

async function list(status = 'all', env: NodeJS.ProcessEnv = {}): Promise<Flat[]> {
  const r = await cli(['findings', 'list', '--status', status, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return json<Flat[]>(r);
}

const key = (f: Pick<Flat, 'rule_id' | 'instance' | 'resource'>) => `${f.rule_id} ${f.instance} ${f.resource}`;
const keys = (fs: Flat[]) => fs.map(key).sort();
const find = (fs: Flat[], rule: string, instance: string, resource: string) => fs.find((f) => f.rule_id === rule && f.instance === instance && f.resource === resource);

function planted(id: string): { app_id: string; domain?: string } {
  const e = world.tenant.answerKey.find((a) => a.id === id);
  if (!e?.app_id) throw new Error(`answer key has no app ${id}`);
  return { app_id: e.app_id, domain: e.domain };
}

function squidLine(host: string, user: string, tsMs: number): string {
  return formatSquidNativeLine({
    tsMs, elapsedMs: 120, clientIp: '10.1.2.3', resultCode: 'TCP_TUNNEL', httpStatus: 200, bytes: 4321,
    method: 'CONNECT', url: `${host}:443`, user, hierarchy: 'HIER_DIRECT/1.2.3.4', contentType: '-',
  });
}

beforeAll(async () => {
  world = await startWorld({}, SCALE);
  dir = join(tmp.dir, 'ws');
  mkdirSync(join(dir, 'registry'), { recursive: true });
  mkdirSync(join(dir, 'squid'), { recursive: true });
  for (const entry of world.tenant.registry) writeFileSync(join(dir, 'registry', `${entry.id}.yaml`), stringify(entry));
  writeFileSync(join(dir, 'squid/access.log'), [...world.tenant.squid].map((l) => `${l}\n`).join(''));
  const config = {
    data_dir: '.shadowscan',
    operator: OPERATOR,
    registry: { dir: 'registry' },
    company_domains: world.tenant.ownDomains,
    rules: { window_days: 30 },
    instances: {
      [OKTA]: {
        type: 'okta', orgUrl: world.emu.url, token: '${OKTA_TOKEN}', page_size: 50,
        // Small retries and backoff: a failing page gives up fast. The System Log feeds no rule here.
        max_retries: 1, backoff_ms: 20, timeout_seconds: 5,
        streams: ['users', 'apps', 'app_grants', 'user_grants'],
      },
      [PROXY]: { type: 'squid', paths: ['squid/access.log'] },
    },
  };
  writeFileSync(join(dir, 'shadowscan.yaml'), stringify(config));
});

afterAll(async () => {
  await world?.emu.close();
  tmp.cleanup();
});

describe('findings across scans (real CLI, Okta emulator + Squid log)', () => {
  let firstOpen: Flat[];
  let openBefore5: Flat[];

  it('1. scanning twice gives 0 new findings and the same open set', async () => {
    const s1 = await scanJson();
    expect(s1.code, s1.stderr).toBe(0);
    expect(s1.out.results.every((r) => r.status === 'ok'), JSON.stringify(s1.out.results)).toBe(true);
    firstOpen = await list('open');
    // The planted apps of the answer key are there (both instances), and all new in the first scan.
    expect(firstOpen.length).toBeGreaterThanOrEqual(7);
    expect(find(firstOpen, 'unregistered-app', OKTA, planted('notion-sheets-sync').app_id)).toBeDefined();
    expect(find(firstOpen, 'unregistered-egress', PROXY, 'openai.com')).toBeDefined();
    expect(firstOpen.every((f) => f.new)).toBe(true);

    const s2 = await scanJson();
    expect(s2.code, s2.stderr).toBe(0);
    expect(s2.out.evaluation.findings.new).toBe(0);
    const secondOpen = await list('open');
    expect(keys(secondOpen)).toEqual(keys(firstOpen));
    expect(secondOpen.map((f) => f.fingerprint).sort()).toEqual(firstOpen.map((f) => f.fingerprint).sort());
    expect(secondOpen.filter((f) => f.new)).toEqual([]);
  });

  it('2. an app removed at the provider: its finding resolves, the others stay open', async () => {
    const gone = planted('notion-sheets-sync').app_id;
    expect(world.emu.removeApp(gone)).toBe(true);
    const s = await scanJson();
    expect(s.code, s.stderr).toBe(0);
    expect(s.out.evaluation.findings.resolved).toBe(1);
    const all = await list('all');
    const f = find(all, 'unregistered-app', OKTA, gone)!;
    expect(f).toMatchObject({ status: 'resolved', new: false });
    expect(f.resolved_at).not.toBeNull();
    const stillOpen = all.filter((x) => x.status === 'open');
    expect(keys(stillOpen)).toEqual(keys(firstOpen).filter((k) => k !== `unregistered-app ${OKTA} ${gone}`));
  });

  it('3. the Okta instance fails: exit 3, nothing in its scope resolves, the Squid instance is still judged', async () => {
    // Another planted app disappears, but the apps listing fails beyond the retries (1 retry).
    const minutes = planted('minutesbot-ai').app_id;
    expect(world.emu.removeApp(minutes)).toBe(true);
    world.emu.setFaults({ serverError: [{ path: '/api/v1/apps', page: 1, times: 1000 }] });
    // New egress in the same scan: the proxy instance must still produce (and could resolve) findings.
    const t = world.clock.now() - 60_000;
    appendFileSync(join(dir, 'squid/access.log'), `${squidLine('api.mistral.ai', 'ann@acme-corp.example', t)}\n`);
    let s: Awaited<ReturnType<typeof scanJson>>;
    try {
      s = await scanJson();
    } finally {
      world.emu.setFaults({});
    }
    expect(s.code, s.stderr).toBe(3);
    const okta = s.out.results.filter((r) => r.instance === OKTA);
    expect(okta.some((r) => r.status !== 'ok'), JSON.stringify(okta)).toBe(true);
    expect(s.out.results.filter((r) => r.instance === PROXY).every((r) => r.status === 'ok')).toBe(true);
    // The Okta rules were skipped for okta-prod (never judged "ok"); the egress rule was not.
    const skipped = s.out.evaluation.skipped.map((x) => `${x.rule_id} ${x.instance}`).sort();
    expect(skipped).toContain(`unregistered-app ${OKTA}`);
    expect(skipped.filter((x) => x.endsWith(PROXY))).toEqual([]);
    expect(s.out.evaluation.findings.resolved).toBe(0);

    const all = await list('all');
    // The removed app's finding stays open: its snapshot is partial, so absence proves nothing.
    expect(find(all, 'unregistered-app', OKTA, minutes)).toMatchObject({ status: 'open' });
    expect(all.filter((f) => f.instance === OKTA && f.status === 'open').length).toBe(firstOpen.filter((f) => f.instance === OKTA).length - 1);
    // The Squid instance was judged: the new domain is a new finding.
    expect(find(all, 'unregistered-egress', PROXY, 'mistral.ai')).toMatchObject({ status: 'open', new: true });
    // (Test 6's clean scan judges Okta again and resolves it.)
  });

  it('4. --fail-on: exit 1 with a high finding open; exit 0 when none reaches the threshold', async () => {
    // Only the proxy is pulled (fast); the rules still judge every instance, Okta's findings included.
    const s = await cli(['scan', '--fail-on', 'high', '--instance', PROXY, '--json']);
    expect(s.code, s.stderr).toBe(1);
    // Scripts reading --json see the same exit code the process returns.
    expect(json<{ exit_code: number }>(s).exit_code).toBe(1);
    const [high, crit] = await Promise.all([cli(['findings', '--fail-on', 'high', '--json']), cli(['findings', '--fail-on', 'critical', '--json'])]);
    expect(high.code, high.stderr).toBe(1);
    expect(crit.code, crit.stderr).toBe(0);
    const open = json<Flat[]>(crit);
    expect(open.some((f) => f.severity === 'high')).toBe(true);
    expect(open.some((f) => f.severity === 'critical')).toBe(false);
    openBefore5 = open;
  });

  describe('5. suppression with an expiry', () => {
    let a: Flat;
    let b: Flat;
    let until: Date;

    it('refuses a past --until, an empty or missing --reason, an unknown finding', async () => {
      a = find(openBefore5, 'unregistered-egress', PROXY, 'openai.com')!;
      b = find(openBefore5, 'unregistered-egress', PROXY, 'zapier.com')!;
      expect(a && b).toBeTruthy();
      const past = new Date(world.clock.now() - DAY).toISOString();
      const fresh = join(tmp.dir, 'fresh');
      mkdirSync(fresh);
      writeFileSync(join(fresh, 'shadowscan.yaml'), 'data_dir: .shadowscan\n');
      const [r1, r2, r3, r4] = await Promise.all([
        cli(['findings', 'suppress', a.fingerprint, '--reason', 'pilot', '--until', past]),
        cli(['findings', 'suppress', a.fingerprint, '--reason', '  ', '--until', '2099-01-01']),
        cli(['findings', 'suppress', a.fingerprint, '--until', '2099-01-01']),
        // Nothing scanned yet: a user error, not an internal one.
        runCli(['findings', 'suppress', a.fingerprint, '--reason', 'pilot', '--until', '2099-01-01'], { cwd: fresh, env: world.env }),
      ]);
      expect([r1.code, r2.code, r3.code, r4.code]).toEqual([2, 2, 2, 2]);
      expect(r1.stderr).toMatch(/not in the future/);
      expect(r2.stderr).toMatch(/reason/);
      expect(r3.stderr).toMatch(/reason/);
      expect(r4.stderr).toMatch(/no finding/);
      // Nothing was recorded.
      expect(existsSync(join(dir, '.shadowscan/decisions.jsonl'))).toBe(false);
    });

    it('suppressed until the expiry, open again at the first scan after it, with history and audit', async () => {
      until = new Date(world.clock.now() + 7 * DAY);
      const s1 = await cli(['findings', 'suppress', a.fingerprint.slice(0, 12), '--reason', 'approved pilot, SEC-123', '--until', until.toISOString(), '--json']);
      expect(s1.code, s1.stderr).toBe(0);
      expect(json<{ applied: boolean }>(s1).applied).toBe(true);
      // A second one, ended by hand: the unsuppress decision.
      const s2 = await cli(['findings', 'suppress', b.fingerprint, '--reason', 'looking into it', '--until', until.toISOString()]);
      expect(s2.code, s2.stderr).toBe(0);
      const u = await cli(['findings', 'unsuppress', b.fingerprint, '--reason', 'not approved after all']);
      expect(u.code, u.stderr).toBe(0);

      // A scan before the expiry keeps it suppressed (it still alarms) and does not count it open.
      const before = await scanJson(['--instance', PROXY]);
      expect(before.code, before.stderr).toBe(0);
      const all = await list('all');
      expect(find(all, a.rule_id, a.instance, a.resource)).toMatchObject({ status: 'suppressed', suppressed_by: OPERATOR, suppressed_reason: 'approved pilot, SEC-123', suppressed_until: until.toISOString() });
      expect(find(all, b.rule_id, b.instance, b.resource)).toMatchObject({ status: 'open', suppressed_until: null });

      // The child's clock is pinned past the expiry (SHADOWSCAN_NOW, no shared clock).
      const later = { SHADOWSCAN_CLOCK: '', SHADOWSCAN_NOW: new Date(until.getTime() + DAY).toISOString() };
      const after = await scanJson(['--instance', PROXY], later);
      expect(after.code, after.stderr).toBe(0);
      const show = await cli(['findings', 'show', a.fingerprint, '--json'], later);
      expect(show.code, show.stderr).toBe(0);
      const shown = json<{ finding: Flat; history: { from_status: string | null; to_status: string; note: string }[] }>(show);
      expect(shown.finding).toMatchObject({ status: 'open', new: true, suppressed_until: null, suppressed_by: null, suppressed_reason: null });
      const history = shown.history;
      expect(history.map((h) => [h.from_status, h.to_status])).toEqual([[null, 'open'], ['open', 'suppressed'], ['suppressed', 'open']]);
      expect(history[1]!.note).toMatch(/suppress by secops@acme-corp\.example: approved pilot/);
      expect(history[2]!.note).toMatch(/suppression expired/);

      // Both kinds of decision in the audit log, in the seed's schema.
      const audit = readFileSync(join(dir, '.shadowscan/audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const decisions = audit.filter((e) => e.action === 'suppress' || e.action === 'unsuppress');
      expect(decisions.map((e) => [e.action, e.app_id])).toEqual([['suppress', 'openai.com'], ['suppress', 'zapier.com'], ['unsuppress', 'zapier.com']]);
      for (const e of decisions) {
        expect(Object.keys(e).sort()).toEqual(['action', 'app_id', 'context_hash', 'redaction', 'resource', 'result', 'timestamp', 'user'].sort());
        expect(e.user).toBe(OPERATOR);
        expect(e.context_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(typeof e.redaction).toBe('object');
        expect(Number.isNaN(Date.parse(e.timestamp as string))).toBe(false);
        expect(e.resource).toContain(PROXY);
      }
      // The expiry that reopened it is audited too, by shadowscan itself.
      expect(audit.filter((e) => e.action === 'suppression_expired').map((e) => [e.user, e.app_id])).toEqual([['shadowscan', 'openai.com']]);
      const lines = readFileSync(join(dir, '.shadowscan/decisions.jsonl'), 'utf8').trim().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['suppress', 'suppress', 'unsuppress']);
    });
  });

  it('6. a decision written while a scan runs is present after both finish (two processes)', async () => {
    const target = find(openBefore5, 'unregistered-egress', PROXY, 'zapier.com')!;
    expect(target).toBeDefined();
    // Every Okta request answers 80 ms late (wall clock): the scan takes several seconds.
    world.emu.resetStats();
    world.emu.setFaults({ slow: { delayMs: 80 } });
    const until = new Date(world.clock.now() + 30 * DAY).toISOString();
    let scanResult: CliResult;
    let suppressResult: CliResult;
    let scanEnded = 0;
    let suppressEnded = 0;
    try {
      const scanning = cli(['scan', '--json']).then((r) => ((scanEnded = performance.now()), r));
      // Decide once the scan is pulling Okta (it has not reached the findings yet).
      while (world.emu.stats.requests === 0 && !scanEnded) await new Promise((r) => setTimeout(r, 50));
      expect(scanEnded, 'the scan ended before it reached Okta').toBe(0);
      suppressResult = await cli(['findings', 'suppress', target.fingerprint, '--reason', 'vendor review in progress', '--until', until, '--json']);
      suppressEnded = performance.now();
      scanResult = await scanning;
    } finally {
      world.emu.setFaults({});
    }
    expect(suppressResult.code, suppressResult.stderr).toBe(0);
    expect(scanResult.code, scanResult.stderr).toBe(0);
    // The suppress finished before the scan did: they really overlapped.
    expect(suppressEnded).toBeLessThan(scanEnded);
    const scanOut = json<ScanOut>(scanResult);
    const decision = json<{ decision: { decision_id: string; at: string } }>(suppressResult).decision;
    const all = await list('all');
    expect(find(all, target.rule_id, target.instance, target.resource)).toMatchObject({ status: 'suppressed', suppressed_until: until, suppressed_reason: 'vendor review in progress' });
    // This clean scan judged Okta again: the app removed during the failing scan (3.) resolved now.
    expect(find(all, 'unregistered-app', OKTA, planted('minutesbot-ai').app_id)).toMatchObject({ status: 'resolved' });
    const lines = readFileSync(join(dir, '.shadowscan/decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { decision_id: string });
    expect(lines.map((d) => d.decision_id)).toContain(decision.decision_id);
    // The scan itself finished normally: only the app removed in 3. resolved.
    expect(scanOut.evaluation.findings.resolved).toBe(1);
  });
});
