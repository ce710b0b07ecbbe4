// Runs rules over whatever norm.*, registry.* and catalog.* views the engine has, and applies
// the skip semantics: in an instance where a required source is missing or partial, every
// result of the rule is replaced by ONE `skip` result (resource '*'), never `ok`.
import { ReadOnlyViolation, sqlIdent, type Duck, type Row } from '../db/duck.js';
import { UserError } from '../errors.js';
import { jsonValue } from '../output/render.js';
import { displayPath } from './load.js';
import { severities, type Severity } from '../findings/model.js';
import type { Rule, RuleResult, RuleStatus, SourceStatus } from './model.js';
import { isSourceView } from './views.js';

export interface RunRulesOptions {
  /** Threshold values from config (`rules.thresholds`); each overrides the rule's default of that name. */
  thresholds?: Record<string, number>;
  /** State of the sources behind each norm view, per instance (src/rules/sources.ts). */
  sources: SourceStatus[];
}

/** The columns every rule returns; all others become evidence. */
export const RESULT_COLUMNS = ['instance', 'resource', 'resource_type', 'status', 'reason'] as const;
/**
 * Optional result column: a row's own severity (one of `severities`), for rules whose risk varies
 * per resource (risky-scope-grant: the worst scope held). NULL or absent → the rule's severity.
 */
export const SEVERITY_COLUMN = 'severity';
const SQL_STATUSES: readonly RuleStatus[] = ['alarm', 'ok', 'info'];

export async function runRules(engine: Duck, rules: readonly Rule[], opts: RunRulesOptions): Promise<RuleResult[]> {
  const out: RuleResult[] = [];
  // One push per result: spreading hundreds of thousands of results (one per grant) as call
  // arguments overflows the stack.
  for (const rule of rules) for (const r of await runRule(engine, rule, opts)) out.push(r);
  return out;
}

export async function runRule(engine: Duck, rule: Rule, opts: RunRulesOptions): Promise<RuleResult[]> {
  const raw = await queryRule(engine, rule, effectiveThresholds(rule, opts.thresholds ?? {}));
  return applySkips(rule, raw, opts.sources);
}

/** The rule's defaults, overridden by config values of the same name. */
export function effectiveThresholds(rule: Rule, configured: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(rule.thresholds).map(([name, dflt]) => [name, configured[name] ?? dflt]));
}

async function queryRule(engine: Duck, rule: Rule, thresholds: Record<string, number>): Promise<RuleResult[]> {
  // Values are bound as parameters of SET VARIABLE; names were checked against THRESHOLD_NAME.
  for (const [name, value] of Object.entries(thresholds)) await engine.run(`set variable ${sqlIdent(name)} = ?`, [value]);
  let result: { columns: string[]; rows: Row[] };
  try {
    result = await engine.readOnlyQuery(rule.sql);
  } catch (e) {
    const msg = e instanceof ReadOnlyViolation ? e.message : String(e instanceof Error ? e.message : e).replace(/^Error: /, '');
    throw new UserError(`rule ${rule.id} (${displayPath(rule.sqlFile)}) failed: ${msg.split('\n').slice(0, 6).join('\n')}`, {
      hint: 'a rule is one SELECT over norm.*, registry.* and catalog.* views; run `shadowscan rules test` to check it',
    });
  } finally {
    for (const name of Object.keys(thresholds)) await engine.run(`reset variable ${sqlIdent(name)}`);
  }
  const missing = RESULT_COLUMNS.filter((c) => !result.columns.includes(c));
  if (missing.length) {
    throw new UserError(`rule ${rule.id} (${displayPath(rule.sqlFile)}) does not return the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, {
      hint: `every rule returns ${RESULT_COLUMNS.join(', ')} plus evidence columns`,
    });
  }
  const evidenceColumns = result.columns.filter((c) => !(RESULT_COLUMNS as readonly string[]).includes(c) && c !== SEVERITY_COLUMN);
  return result.rows.map((row) => {
    const status = row.status as RuleStatus;
    if (!SQL_STATUSES.includes(status)) {
      throw new UserError(`rule ${rule.id} (${displayPath(rule.sqlFile)}) returned status ${JSON.stringify(row.status)}`, {
        hint: `status is one of ${SQL_STATUSES.join(', ')} (skip is decided by the engine from the source states)`,
      });
    }
    if (typeof row.instance !== 'string' || row.resource === null || row.resource === undefined) {
      throw new UserError(`rule ${rule.id} (${displayPath(rule.sqlFile)}) returned a row without instance or resource`, {
        hint: 'every result row names the instance (scope) and the resource it judges',
      });
    }
    return {
      rule_id: rule.id,
      instance: row.instance,
      resource: String(row.resource),
      resource_type: String(row.resource_type ?? ''),
      status,
      reason: String(row.reason ?? ''),
      severity: rowSeverity(rule, row[SEVERITY_COLUMN]),
      evidence: Object.fromEntries(evidenceColumns.map((c) => [c, jsonValue(row[c])])),
    };
  });
}

function rowSeverity(rule: Rule, value: unknown): Severity {
  if (value === null || value === undefined) return rule.severity;
  if (typeof value === 'string' && (severities as readonly string[]).includes(value)) return value as Severity;
  throw new UserError(`rule ${rule.id} (${displayPath(rule.sqlFile)}) returned severity ${JSON.stringify(value)}`, {
    hint: `a row's severity is one of ${[...severities].reverse().join(', ')}, or NULL for the rule's own (${rule.severity})`,
  });
}

export interface ScopeVerdict {
  instance: string;
  complete: boolean;
  /** The required views that were not complete, with their states. */
  incomplete: SourceStatus[];
}

/**
 * The scopes (instances) a rule judged: every instance with a source feeding one of its required
 * views, plus every instance in its results. A required view with no status counts as missing.
 */
export function ruleScopes(rule: Rule, sources: readonly SourceStatus[], resultInstances: Iterable<string> = []): ScopeVerdict[] {
  const required = rule.requires.filter(isSourceView);
  if (required.length === 0) return [...new Set(resultInstances)].map((instance) => ({ instance, complete: true, incomplete: [] }));
  const instances = new Set([...sources.filter((s) => required.includes(s.view)).map((s) => s.instance), ...resultInstances]);
  return [...instances].sort().map((instance) => {
    const incomplete = required
      .map((view): SourceStatus => sources.find((s) => s.instance === instance && s.view === view) ?? { instance, view, state: 'missing', detail: `no configured source of ${instance} feeds ${view}` })
      .filter((s) => s.state !== 'complete');
    return { instance, complete: incomplete.length === 0, incomplete };
  });
}

/** Replaces every result of an instance whose required sources are not all complete with one skip. */
export function applySkips(rule: Rule, results: RuleResult[], sources: readonly SourceStatus[]): RuleResult[] {
  const out: RuleResult[] = [];
  for (const scope of ruleScopes(rule, sources, results.map((r) => r.instance))) {
    const mine = results.filter((r) => r.instance === scope.instance);
    if (scope.complete) {
      for (const r of mine.sort((a, b) => a.resource.localeCompare(b.resource))) out.push(r);
      continue;
    }
    out.push({
      rule_id: rule.id,
      instance: scope.instance,
      resource: '*',
      resource_type: 'scope',
      status: 'skip',
      reason: `skipped: ${scope.incomplete.map((s) => `${s.view} is ${s.state}${s.detail ? ` (${s.detail})` : ''}`).join('; ')}`,
      severity: rule.severity,
      evidence: { sources: scope.incomplete.map((s) => ({ view: s.view, state: s.state, detail: s.detail ?? null })), results_withheld: mine.length },
    });
  }
  return out;
}
