// The findings lifecycle as a pure function: given the findings in state, this scan's rule
// results and the scopes in which each rule ran on complete sources, decide every transition.
//   alarm, unknown          → open (new)
//   alarm, resolved         → open (reopened, new)
//   alarm, open             → open (last_seen updated)
//   suppressed, expired     → open (then judged like any open finding)
//   open, no alarm, scope complete → resolved
//   open, no alarm, scope skipped/partial → stays open (partial is never complete)
import { fingerprint, scopeKey, type FindingInput, type FindingRow, type FindingStatus, type HistoryRow } from './model.js';

export interface ScanContext {
  scanId: string;
  now: Date;
  /** scopeKey(rule, instance) of every scope whose required sources were complete. */
  completeScopes: Set<string>;
}

export interface Transitions {
  upserts: FindingRow[];
  history: HistoryRow[];
}

export function planTransitions(existing: FindingRow[], results: FindingInput[], scan: ScanContext): Transitions {
  const byFp = new Map(existing.map((f) => [f.fingerprint, { ...f }]));
  const changed = new Map<string, FindingRow>();
  const history: HistoryRow[] = [];
  const move = (f: FindingRow, to: FindingStatus, note: string) => {
    history.push({ fingerprint: f.fingerprint, at: scan.now, scan_id: scan.scanId, from_status: f.status, to_status: to, note });
    f.status = to;
    changed.set(f.fingerprint, f);
  };

  // Suppressions that have run out return to open first.
  for (const f of byFp.values()) {
    if (f.status === 'suppressed' && f.suppressed_until && f.suppressed_until.getTime() <= scan.now.getTime()) {
      move(f, 'open', `suppression expired (${f.suppressed_until.toISOString()})`);
      f.opened_in_scan = scan.scanId;
      // The suppression columns describe the active suppression only (docs/report-format.md).
      Object.assign(f, { suppressed_until: null, suppressed_reason: null, suppressed_by: null });
    }
  }

  const alarmed = new Set<string>();
  for (const r of results) {
    if (r.status !== 'alarm') continue;
    const fp = fingerprint(r.rule_id, r.instance, r.resource);
    if (alarmed.has(fp)) continue;
    alarmed.add(fp);
    const f = byFp.get(fp);
    const evidence = JSON.stringify(r.evidence);
    if (!f) {
      const row: FindingRow = {
        fingerprint: fp, rule_id: r.rule_id, instance: r.instance, resource: r.resource, resource_type: r.resource_type,
        severity: r.severity, status: 'open', reason: r.reason, evidence, first_seen: scan.now, last_seen: scan.now,
        resolved_at: null, reopened: 0, opened_in_scan: scan.scanId, last_scan_id: scan.scanId,
        suppressed_until: null, suppressed_reason: null, suppressed_by: null,
      };
      byFp.set(fp, row);
      changed.set(fp, row);
      history.push({ fingerprint: fp, at: scan.now, scan_id: scan.scanId, from_status: null, to_status: 'open', note: 'first seen' });
      continue;
    }
    Object.assign(f, { reason: r.reason, evidence, severity: r.severity, resource_type: r.resource_type, last_seen: scan.now, last_scan_id: scan.scanId });
    changed.set(fp, f);
    if (f.status === 'resolved') {
      f.reopened += 1;
      f.resolved_at = null;
      f.opened_in_scan = scan.scanId;
      move(f, 'open', 'seen again');
    }
  }

  for (const f of byFp.values()) {
    if (f.status !== 'open' || alarmed.has(f.fingerprint)) continue;
    if (!scan.completeScopes.has(scopeKey(f.rule_id, f.instance))) continue;
    f.resolved_at = scan.now;
    f.last_scan_id = scan.scanId;
    move(f, 'resolved', 'not seen in a complete scan of its scope');
  }
  return { upserts: [...changed.values()], history };
}
