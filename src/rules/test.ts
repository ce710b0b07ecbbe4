// The rule test runner: each case runs in its own in-memory engine where every view a rule can
// read exists as a typed table (empty unless the case gives rows), the rule runs through the same
// runner as a scan, and the results must equal `expect` as a set of (resource, status).
import { Duck, sqlIdent } from '../db/duck.js';
import { errorMessage } from '../errors.js';
import type { Rule, RuleResult, RuleStatus, RuleTestCase, SourceStatus, TestValue } from './model.js';
import { runRule } from './run.js';
import { createEmptyViews, isSourceView, qualifiedIdent, ruleViewNames, ruleViews } from './views.js';

export interface CaseOutcome {
  rule_id: string;
  case: string;
  pass: boolean;
  /** Why it failed: missing/unexpected results, or the error the rule raised. */
  message: string;
  expected: RuleTestCase['expect'];
  actual: Pick<RuleResult, 'instance' | 'resource' | 'status' | 'reason' | 'severity'>[];
}

export async function testRules(rules: readonly Rule[]): Promise<CaseOutcome[]> {
  const out: CaseOutcome[] = [];
  for (const rule of rules) out.push(...(await testRule(rule)));
  return out;
}

export async function testRule(rule: Rule): Promise<CaseOutcome[]> {
  const out: CaseOutcome[] = [];
  for (const testCase of rule.tests) out.push(await runCase(rule, testCase));
  return out;
}

export async function runCase(rule: Rule, testCase: RuleTestCase): Promise<CaseOutcome> {
  const base = { rule_id: rule.id, case: testCase.name, expected: testCase.expect };
  let engine: Duck | undefined;
  try {
    engine = await engineWithRows(testCase.given);
    const results = await runRule(engine, rule, { thresholds: testCase.thresholds, sources: caseSources(rule, testCase) });
    const actual = results.map((r) => ({ instance: r.instance, resource: r.resource, status: r.status, reason: r.reason, severity: r.severity }));
    const message = compare(testCase.expect, actual);
    return { ...base, pass: message === '', message, actual };
  } catch (e) {
    return { ...base, pass: false, message: `error: ${errorMessage(e)}`, actual: [] };
  } finally {
    engine?.close();
  }
}

/** A small in-memory engine where every rule view is a typed table holding the given rows. */
export async function engineWithRows(given: RuleTestCase['given']): Promise<Duck> {
  const engine = await Duck.open(':memory:', {
    threads: '1',
    memory_limit: '256MB',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  try {
    await createEmptyViews(engine, ruleViewNames, 'table');
    for (const [view, rows] of Object.entries(given)) await insertRows(engine, view, rows);
    return engine;
  } catch (e) {
    engine.close();
    throw e;
  }
}

/**
 * Every instance in the given rows has every required source complete, unless the case says
 * otherwise in `sources` (how a case tests skip).
 */
export function caseSources(rule: Rule, testCase: RuleTestCase): SourceStatus[] {
  const instances = new Set<string>();
  for (const rows of Object.values(testCase.given)) {
    for (const row of rows) if (typeof row.instance === 'string') instances.add(row.instance);
  }
  for (const s of testCase.sources) instances.add(s.instance);
  const out: SourceStatus[] = [];
  for (const instance of instances) {
    for (const view of rule.requires.filter(isSourceView)) {
      out.push(testCase.sources.find((s) => s.instance === instance && s.view === view) ?? { instance, view, state: 'complete' });
    }
  }
  return out;
}

/** Inserts test rows into a rule view: each value bound as text and cast to the column type. */
export async function insertRows(engine: Duck, view: string, rows: Record<string, TestValue>[]): Promise<void> {
  const types = ruleViews[view];
  if (!types) throw new Error(`unknown view ${view}`);
  for (const row of rows) {
    const cols = Object.keys(row);
    if (cols.length === 0) continue;
    // Every value is bound as text and cast to the column's type; lists travel as JSON.
    const values = cols.map((c) => {
      const type = types[c];
      if (!type) throw new Error(`${view} has no column ${c}`);
      return type.endsWith('[]') ? `cast(cast(? as json) as ${type})` : `cast(? as ${type})`;
    });
    const params = cols.map((c) => {
      const v = row[c];
      if (v === null || v === undefined) return null;
      if (types[c]!.endsWith('[]')) {
        if (!Array.isArray(v)) throw new Error(`${view}.${c} is a list column; give a YAML list, got ${JSON.stringify(v)}`);
        return JSON.stringify(v);
      }
      if (Array.isArray(v)) throw new Error(`${view}.${c} is ${types[c]}, not a list`);
      return String(v);
    });
    await engine.run(`insert into ${qualifiedIdent(view)} (${cols.map(sqlIdent).join(', ')}) values (${values.join(', ')})`, params);
  }
}

/** '' when `actual` matches `expected` as a multiset; otherwise what is missing and unexpected. */
function compare(expected: RuleTestCase['expect'], actual: CaseOutcome['actual']): string {
  const left = [...actual];
  const missing: RuleTestCase['expect'] = [];
  for (const e of expected) {
    const i = left.findIndex((a) => a.resource === e.resource && a.status === e.status && (e.instance === undefined || a.instance === e.instance)
      && (e.severity === undefined || a.severity === e.severity));
    if (i < 0) missing.push(e);
    else left.splice(i, 1);
  }
  if (missing.length === 0 && left.length === 0) return '';
  // Severities are shown only when the case pins some (most cases judge status alone).
  const pinned = expected.some((e) => e.severity !== undefined);
  const show = (x: { instance?: string; resource: string; status: RuleStatus; reason?: string; severity?: string }) =>
    `${x.status}${pinned && x.severity ? ` ${x.severity}` : ''} ${JSON.stringify(x.resource)}${x.instance ? ` in ${x.instance}` : ''}${x.reason ? ` (${x.reason})` : ''}`;
  return [
    missing.length ? `missing: ${missing.map(show).join('; ')}` : '',
    left.length ? `unexpected: ${left.map(show).join('; ')}` : '',
  ].filter(Boolean).join(' | ');
}
