// After the sources are pulled: run the rules over norm + registry + catalog, and move the
// findings (DESIGN.md "Findings"). Inside ONE state DB session: replay pending decisions, load
// the findings, plan the transitions, apply them and record the scan — so a decision made
// during the scan is never overwritten, and a partial scope never resolves anything.
import { randomBytes } from 'node:crypto';
import type { Context } from '../context.js';
import type { Duck } from '../db/duck.js';
import { recordExpiry, replayDecisions } from '../findings/decisions.js';
import { planTransitions } from '../findings/lifecycle.js';
import { scopeKey } from '../findings/model.js';
import { applyTransitions, loadFindings, recordScan } from '../findings/store.js';
import { attachRuleContext } from '../rules/attach.js';
import { loadConfiguredRules } from '../rules/load.js';
import type { RuleResult } from '../rules/model.js';
import { ruleScopes, runRules } from '../rules/run.js';
import { withState } from '../store/state.js';

export interface EvaluationSummary {
  scan_id: string;
  rules: number;
  results: { alarm: number; ok: number; info: number; skip: number };
  skipped: { rule_id: string; instance: string; reason: string }[];
  findings: { new: number; reopened: number; resolved: number; open: number; suppressed: number; bySeverity: Record<string, number> };
  registry: 'attached' | 'empty';
  catalogs: 'attached' | 'empty';
}

export function newScanId(now: number): string {
  return `${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;
}

export async function evaluate(ctx: Context, engine: Duck, scan: { scanId: string; startedAt: Date; sourcesStatus: 'ok' | 'partial' }): Promise<EvaluationSummary> {
  const rules = loadConfiguredRules(ctx.loaded);
  const context = await attachRuleContext(engine, ctx);
  const results: RuleResult[] = await runRules(engine, rules, { thresholds: ctx.loaded.config.rules.thresholds, sources: context.sources });
  const completeScopes = new Set<string>();
  for (const rule of rules) {
    const instances = results.filter((r) => r.rule_id === rule.id).map((r) => r.instance);
    for (const v of ruleScopes(rule, context.sources, instances)) if (v.complete) completeScopes.add(scopeKey(rule.id, v.instance));
  }
  const now = new Date(ctx.clock.now());
  const counts = { alarm: 0, ok: 0, info: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  const summary: EvaluationSummary = {
    scan_id: scan.scanId,
    rules: rules.length,
    results: counts,
    skipped: results.filter((r) => r.status === 'skip').map((r) => ({ rule_id: r.rule_id, instance: r.instance, reason: r.reason })),
    findings: { new: 0, reopened: 0, resolved: 0, open: 0, suppressed: 0, bySeverity: {} },
    registry: context.registry,
    catalogs: context.catalogs,
  };
  await withState(ctx.paths, async (db) => {
    await replayDecisions(db, ctx.paths);
    const existing = await loadFindings(db);
    const t = planTransitions(existing, results, { scanId: scan.scanId, now, completeScopes });
    await applyTransitions(db, t);
    // Expired suppressions are decisions too: the audit log says when they ran out.
    const before = new Map(existing.map((f) => [f.fingerprint, f]));
    for (const h of t.history) {
      const was = before.get(h.fingerprint);
      if (h.from_status === 'suppressed' && h.to_status === 'open' && was?.suppressed_until) recordExpiry(ctx.paths, was, now, was.suppressed_until);
    }
    for (const h of t.history) {
      if (h.from_status === null) summary.findings.new++;
      else if (h.to_status === 'open' && h.from_status === 'resolved') summary.findings.reopened++;
      else if (h.to_status === 'resolved') summary.findings.resolved++;
    }
    for (const f of await loadFindings(db)) {
      if (f.status === 'open') {
        summary.findings.open++;
        summary.findings.bySeverity[f.severity] = (summary.findings.bySeverity[f.severity] ?? 0) + 1;
      } else if (f.status === 'suppressed') summary.findings.suppressed++;
    }
    await recordScan(db, { scanId: scan.scanId, startedAt: scan.startedAt, finishedAt: new Date(ctx.clock.now()), status: scan.sourcesStatus, summary });
  });
  return summary;
}
