// `npm run demo` end to end (issue 5 acceptance): on a fresh workspace it finds every planted
// shadow app the demo's sources can reveal and flags nothing registered or first-party; a
// second run reuses the workspace and shows 0 new findings with the same open set.
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoResult } from '../../demo/run.js';
import { tempDir } from '../helpers/cli.js';

type Key = string;

function expectedKeys(r: DemoResult): Set<Key> {
  const keys = new Set<Key>();
  for (const e of r.tenant.answerKey) {
    for (const rule of [e.expected_rule, ...(e.also_expected ?? [])]) {
      // Egress apps are found from the proxy log and, again, from the Zeek sensor's SNI and DNS data.
      if (rule === 'unregistered-egress') for (const instance of ['proxy-demo', 'zeek-demo']) keys.add(`${rule} ${instance} ${e.domain}`);
      else keys.add(`${rule} ${e.provider === 'google' ? 'google-demo' : 'okta-demo'} ${e.app_id}`);
    }
  }
  for (const e of r.tenant.entra.answerKey) for (const rule of [e.expected_rule, ...(e.also_expected ?? [])]) keys.add(`${rule} entra-demo ${e.app_id}`);
  return keys;
}

function foundKeys(r: DemoResult): Set<Key> {
  return new Set(
    r.report.findings
      .filter((f) => f.status === 'open')
      // over-scoped-grant's and risky-scope-grant's resource is app_id:principal; the answer key names the app.
      .map((f) => `${f.rule_id} ${f.instance} ${['over-scoped-grant', 'risky-scope-grant'].includes(f.rule_id) ? f.resource.split(':')[0] : f.resource}`),
  );
}

describe('npm run demo', () => {
  const tmp = tempDir('shadowscan-demo-');
  afterAll(tmp.cleanup);
  let first: DemoResult;

  it('finds exactly the planted shadow apps of the answer key (nothing registered or first-party)', async () => {
    first = await runDemo({ workspace: tmp.dir, fresh: true, timeScale: 20 });
    expect(first.scan.results.every((s) => s.status === 'ok'), JSON.stringify(first.scan.results)).toBe(true);
    const expected = expectedKeys(first);
    expect(expected.size).toBeGreaterThanOrEqual(7);
    expect([...foundKeys(first)].sort()).toEqual([...expected].sort());
    // Every finding says why, including those from sources without byte counts (Zeek ssl/dns).
    expect(first.report.findings.filter((f) => !(typeof f.reason === 'string' && f.reason.length > 0)).map((f) => `${f.instance} ${f.resource}`)).toEqual([]);
    // Every open finding is new on the first run.
    expect(first.report.findings.filter((f) => f.status === 'open').every((f) => f.new)).toBe(true);
  });

  it('reuses the workspace: a second run has 0 new findings and the same open set', async () => {
    const second = await runDemo({ workspace: tmp.dir, timeScale: 20 });
    expect(second.scan.results.every((s) => s.status === 'ok')).toBe(true);
    expect([...foundKeys(second)].sort()).toEqual([...foundKeys(first)].sort());
    expect(second.report.findings.filter((f) => f.new)).toEqual([]);
  });
});
