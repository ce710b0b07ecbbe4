// Triage decisions (suppress / unsuppress). A decision is appended, with fsync, to
// decisions.jsonl first — so it is never lost, even while a scan holds the state DB — and to the
// audit log; it is then replayed into the state DB by whichever command opens it next.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Duck } from '../db/duck.js';
import type { DataPaths } from '../store/paths.js';
import type { FindingRow, FindingStatus } from './model.js';
import { addHistory, saveFinding, loadFindings } from './store.js';

export interface Decision {
  decision_id: string;
  fingerprint: string;
  action: 'suppress' | 'unsuppress';
  reason: string;
  by_user: string;
  /** ISO time; required for suppress. */
  until: string | null;
  at: string;
}

/** Audit entry in the seed's schema (DESIGN.md "Audit log"). */
export interface AuditEntry {
  timestamp: string;
  user: string;
  app_id: string;
  action: string;
  resource: string;
  context_hash: string;
  redaction: Record<string, unknown>;
  result: string;
}

export function operatorName(configured: string | undefined): string {
  if (configured) return configured;
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export function appendLine(path: string, value: unknown): void {
  const fd = openSync(path, 'a', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(value)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function newDecision(d: Omit<Decision, 'decision_id'>): Decision {
  return { decision_id: randomUUID(), ...d };
}

/** Appends the decision and its audit entry (the evidence the person saw is hashed, not copied). */
export function recordDecision(paths: DataPaths, d: Decision, finding: FindingRow): void {
  appendLine(paths.decisions, d);
  const evidence = JSON.parse(finding.evidence) as Record<string, unknown>;
  const audit: AuditEntry = {
    timestamp: d.at,
    user: d.by_user,
    app_id: String(evidence.app_id ?? evidence.domain ?? finding.resource),
    action: d.action,
    resource: `${finding.rule_id}:${finding.instance}:${finding.resource}`,
    context_hash: `sha256:${createHash('sha256').update(finding.evidence).digest('hex')}`,
    redaction: { secrets_masked: true },
    result: 'recorded',
  };
  appendLine(paths.audit, audit);
}

/** Every decision in the file; a torn last line (crash mid-write) is ignored. */
export function readDecisions(paths: DataPaths): Decision[] {
  if (!existsSync(paths.decisions)) return [];
  const out: Decision[] = [];
  for (const line of readFileSync(paths.decisions, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as Decision);
    } catch {
      // Only the last line can be torn; anything unparsable is skipped, never fatal.
    }
  }
  return out;
}

/** Applies decisions not yet in state. Idempotent; call inside a state DB session. */
export async function replayDecisions(db: Duck, paths: DataPaths): Promise<number> {
  const all = readDecisions(paths);
  if (all.length === 0) return 0;
  const applied = new Set((await db.all<{ decision_id: string }>('select decision_id from decisions')).map((r) => r.decision_id));
  let n = 0;
  for (const d of all) {
    if (applied.has(d.decision_id)) continue;
    const [f] = await loadFindings(db, 'where fingerprint = ?', [d.fingerprint]);
    if (f) {
      const from: FindingStatus = f.status;
      if (d.action === 'suppress') {
        Object.assign(f, { status: 'suppressed', suppressed_until: d.until ? new Date(d.until) : null, suppressed_reason: d.reason, suppressed_by: d.by_user });
      } else if (f.status === 'suppressed') {
        Object.assign(f, { status: 'open', suppressed_until: null, suppressed_reason: null, suppressed_by: null });
      }
      await saveFinding(db, f);
      await addHistory(db, { fingerprint: f.fingerprint, at: new Date(d.at), scan_id: null, from_status: from, to_status: f.status, note: `${d.action} by ${d.by_user}: ${d.reason}` });
    }
    await db.run('insert into decisions values (?, ?, ?, ?, ?, ?::timestamp, ?::timestamp)', [d.decision_id, d.fingerprint, d.action, d.reason, d.by_user, d.until, d.at]);
    n++;
  }
  return n;
}

/** Audit entry for a suppression that ran out (the scan reopened the finding). */
export function recordExpiry(paths: DataPaths, finding: FindingRow, at: Date, until: Date): void {
  const evidence = JSON.parse(finding.evidence) as Record<string, unknown>;
  const audit: AuditEntry = {
    timestamp: at.toISOString(),
    user: 'shadowscan',
    app_id: String(evidence.app_id ?? evidence.domain ?? finding.resource),
    action: 'suppression_expired',
    resource: `${finding.rule_id}:${finding.instance}:${finding.resource}`,
    context_hash: `sha256:${createHash('sha256').update(finding.evidence).digest('hex')}`,
    redaction: { secrets_masked: true },
    result: `reopened (suppressed until ${until.toISOString()})`,
  };
  appendLine(paths.audit, audit);
}
