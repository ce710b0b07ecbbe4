// Hostile strings in findings (issue 5 acceptance; DESIGN.md "Safety of outputs"): provider and
// log text lands in resources, reasons and evidence. Findings holding formula prefixes, control
// characters, ANSI/OSC escapes, a bidi override, newlines, quotes and a 100 kB value are put in
// the state DB through the findings store, then the real CLI exports them: CSV neutralizes every
// formula-prefixed cell and otherwise parses back to the same text; JSON round-trips exactly; the
// terminal table carries no control sequences.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTransitions } from '../../src/findings/lifecycle.js';
import { fingerprint, scopeKey, type FindingInput } from '../../src/findings/model.js';
import { applyTransitions, loadFindings, recordScan, saveFinding } from '../../src/findings/store.js';
import { findingColumns, type FlatFinding } from '../../src/export/findings-table.js';
import { dataPaths, ensureDataDir } from '../../src/store/paths.js';
import { withState } from '../../src/store/state.js';
import { json, runCli, tempDir } from '../helpers/cli.js';

const HOSTILE: Record<string, string> = {
  hyperlink: '=HYPERLINK("http://x","y")',
  plus: "+cmd|' /C calc'!A0",
  minus: '-2+3',
  at: '@SUM(1)',
  tab: '\t=1+1 after a tab',
  cr: '\r=1+1 after a CR',
  lines: 'first line\nsecond "quoted", with a comma\r\nthird',
  ansi: '\u001b[31mred\u001b[0m \u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007 \u009b2J',
  bidi: 'invoice\u202Efdp.exe\u202C and \u2066isolate\u2069',
  big: `=${'N'.repeat(100 * 1024)}`,
};
const FORMULA = /^[=+\-@\t\r]/;
const RULE = 'unregistered-app';
const INSTANCE = 'okta-prod';
const NOW = new Date('2026-03-01T10:00:00.000Z');
const UNTIL = '2099-01-01T00:00:00.000Z';

const tmp = tempDir('shadowscan-hostile-');
const dir = tmp.dir;
const env = { SHADOWSCAN_NOW: NOW.toISOString(), SHADOWSCAN_CLOCK: '' };
const cli = (args: string[]) => runCli(args, { cwd: dir, env });
const fp = (k: string) => fingerprint(RULE, INSTANCE, HOSTILE[k]!);

function input(k: string): FindingInput {
  const s = HOSTILE[k]!;
  return {
    rule_id: RULE, instance: INSTANCE, resource: s, resource_type: 'app', status: 'alarm', severity: 'high',
    reason: s, evidence: { app_id: s, app_name: s, scopes: [s, 'okta.users.read'], nested: { label: s } },
  };
}

beforeAll(async () => {
  writeFileSync(join(dir, 'shadowscan.yaml'), 'data_dir: .shadowscan\noperator: secops@acme-corp.example\n');
  const paths = dataPaths(join(dir, '.shadowscan'));
  ensureDataDir(paths);
  await withState(paths, async (db) => {
    const t = planTransitions([], Object.keys(HOSTILE).map(input), { scanId: 'scan-1', now: NOW, completeScopes: new Set([scopeKey(RULE, INSTANCE)]) });
    await applyTransitions(db, t);
    // One of them suppressed, with hostile text in who and why.
    const [f] = await loadFindings(db, 'where fingerprint = ?', [fp('plus')]);
    await saveFinding(db, { ...f!, status: 'suppressed', suppressed_until: new Date(UNTIL), suppressed_reason: HOSTILE.hyperlink!, suppressed_by: '@evil\u001b[2J' });
    await recordScan(db, { scanId: 'scan-1', startedAt: NOW, finishedAt: NOW, status: 'ok', summary: {} });
  });
});
afterAll(tmp.cleanup);

/** The text a CSV cell must hold for a JSON report value, before neutralization. */
function cellOf(column: string, v: unknown): string {
  if (column === 'evidence') return JSON.stringify(v);
  return v === null || v === undefined ? '' : String(v);
}

describe('hostile strings in findings', () => {
  let report: { schema: string; findings: FlatFinding[] };

  it('report --format json round-trips every value exactly', async () => {
    const r = await cli(['report', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    report = json(r);
    expect(report.schema).toBe('shadowscan.report/v1');
    expect(report.findings).toHaveLength(Object.keys(HOSTILE).length);
    for (const k of Object.keys(HOSTILE)) {
      const f = report.findings.find((x) => x.fingerprint === fp(k));
      expect(f, k).toBeDefined();
      const i = input(k);
      expect({ resource: f!.resource, reason: f!.reason, evidence: f!.evidence }, k).toEqual({ resource: i.resource, reason: i.reason, evidence: i.evidence });
    }
    const suppressed = report.findings.find((x) => x.fingerprint === fp('plus'))!;
    expect(suppressed).toMatchObject({ status: 'suppressed', suppressed_reason: HOSTILE.hyperlink, suppressed_by: '@evil\u001b[2J', suppressed_until: UNTIL });
    expect(report.findings.find((x) => x.fingerprint === fp('big'))!.resource.length).toBe(100 * 1024 + 1);
  });

  it('report --format csv neutralizes every formula-prefixed cell and otherwise parses back to the same text', async () => {
    const r = await cli(['report', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const rows = parse(r.stdout, { relax_quotes: false }) as string[][];
    expect(rows[0]).toEqual([...findingColumns]);
    const body = rows.slice(1);
    expect(body).toHaveLength(Object.keys(HOSTILE).length);
    let neutralized = 0;
    for (const row of body) {
      expect(row).toHaveLength(findingColumns.length);
      const f = report.findings.find((x) => x.fingerprint === row[0])!;
      expect(f).toBeDefined();
      findingColumns.forEach((column, i) => {
        const cell = row[i]!;
        const text = cellOf(column, f[column]);
        // No cell a spreadsheet would evaluate; the prefix is the only change.
        expect(FORMULA.test(cell), `${column} of ${f.fingerprint.slice(0, 8)}`).toBe(false);
        if (FORMULA.test(text)) {
          expect(cell).toBe(`'${text}`);
          neutralized++;
        } else expect(cell).toBe(text);
      });
      expect(JSON.parse(row[findingColumns.indexOf('evidence')]!)).toEqual(f.evidence);
    }
    // resource + reason for the 7 prefixed strings, plus the suppression's reason and who.
    expect(neutralized).toBe(7 * 2 + 2);
    expect(body.find((row) => row[0] === fp('hyperlink'))![findingColumns.indexOf('resource')]).toBe(`'${HOSTILE.hyperlink}`);
    expect(body.find((row) => row[0] === fp('lines'))![findingColumns.indexOf('reason')]).toBe(HOSTILE.lines);
  });

  it('findings listings: the table holds no control or bidi characters, one line per finding; --format csv is neutralized too', async () => {
    const [table, show, csv] = await Promise.all([
      cli(['findings', 'list', '--status', 'all']),
      cli(['findings', 'show', fp('ansi')]),
      cli(['findings', 'list', '--status', 'all', '--format', 'csv']),
    ]);
    for (const r of [table, show, csv]) expect(r.code, r.stderr).toBe(0);
    for (const out of [table.stdout, show.stdout]) {
      // eslint-disable-next-line no-control-regex
      expect(out.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g)).toBeNull();
      expect(out).not.toContain('\u001b');
    }
    // Header, rule, one line per finding, the count: no value broke a line.
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(Object.keys(HOSTILE).length + 3);
    expect(table.stdout.length).toBeLessThan(20_000);
    const rows = parse(csv.stdout) as string[][];
    expect(rows).toHaveLength(Object.keys(HOSTILE).length + 1);
    for (const row of rows) for (const cell of row) expect(FORMULA.test(cell)).toBe(false);
    const resourceCol = rows[0]!.indexOf('resource');
    expect(rows.map((r) => r[resourceCol]).filter((c) => c!.startsWith("'")).sort()).toEqual(
      ['hyperlink', 'plus', 'minus', 'at', 'tab', 'cr', 'big'].map((k) => `'${HOSTILE[k]}`).sort(),
    );
  });

  it('findings suppress echoes the hostile resource without control sequences', async () => {
    const r = await cli(['findings', 'suppress', fp('ansi'), '--reason', 'pilot', '--until', '2027-01-01']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^suppressed until 2027-01-01T00:00:00.000Z: unregistered-app okta-prod /);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g)).toBeNull();
  });
});
