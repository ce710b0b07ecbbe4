// Findings in the state DB: load, apply a scan's transitions, and the scan records. The scan
// does replay → load → plan → apply inside ONE open of the state DB, so a decision replayed by
// another process can never be overwritten by a plan made from older rows.
import type { Duck } from '../db/duck.js';
import { transaction } from '../store/state.js';
import type { FindingRow, HistoryRow } from './model.js';
import type { Transitions } from './lifecycle.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function loadFindings(db: Duck, where = '', params: (string | number)[] = []): Promise<FindingRow[]> {
  const rows = await db.all<FindingRow>(`select * from findings ${where}`, params);
  return rows.map((r) => ({
    ...r,
    first_seen: new Date(r.first_seen),
    last_seen: new Date(r.last_seen),
    resolved_at: r.resolved_at ? new Date(r.resolved_at) : null,
    suppressed_until: r.suppressed_until ? new Date(r.suppressed_until) : null,
  }));
}

export async function saveFinding(db: Duck, f: FindingRow): Promise<void> {
  await db.run(
    `insert or replace into findings (fingerprint, rule_id, instance, resource, resource_type, severity, status, reason, evidence,
       first_seen, last_seen, resolved_at, reopened, opened_in_scan, last_scan_id, suppressed_until, suppressed_reason, suppressed_by)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamp, ?::timestamp, ?::timestamp, ?, ?, ?, ?::timestamp, ?, ?)`,
    [
      f.fingerprint, f.rule_id, f.instance, f.resource, f.resource_type, f.severity, f.status, f.reason, f.evidence,
      iso(f.first_seen), iso(f.last_seen), iso(f.resolved_at), f.reopened, f.opened_in_scan, f.last_scan_id,
      iso(f.suppressed_until), f.suppressed_reason, f.suppressed_by,
    ],
  );
}

export async function addHistory(db: Duck, h: HistoryRow): Promise<void> {
  await db.run('insert into finding_history values (?, ?::timestamp, ?, ?, ?, ?)', [h.fingerprint, h.at.toISOString(), h.scan_id, h.from_status, h.to_status, h.note]);
}

const FINDING_COLUMNS = `fingerprint, rule_id, instance, resource, resource_type, severity, status, reason, evidence,
       first_seen, last_seen, resolved_at, reopened, opened_in_scan, last_scan_id, suppressed_until, suppressed_reason, suppressed_by`;
const FINDING_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamp, ?::timestamp, ?::timestamp, ?, ?, ?, ?::timestamp, ?, ?)';
const BATCH = 200;

function findingParams(f: FindingRow): (string | number | null)[] {
  return [
    f.fingerprint, f.rule_id, f.instance, f.resource, f.resource_type, f.severity, f.status, f.reason, f.evidence,
    iso(f.first_seen), iso(f.last_seen), iso(f.resolved_at), f.reopened, f.opened_in_scan, f.last_scan_id,
    iso(f.suppressed_until), f.suppressed_reason, f.suppressed_by,
  ];
}

/**
 * Writes a scan's transitions in one transaction. Rows go in batches into a temp table and
 * then into `findings` with ONE upsert: thousands of single-row upserts in a transaction hold
 * memory per statement and exhaust the state DB's memory limit (a first scan of a large org).
 */
export async function applyTransitions(db: Duck, t: Transitions): Promise<void> {
  await transaction(db, async () => {
    await db.run('create or replace temp table findings_upsert as select * from findings limit 0');
    for (let i = 0; i < t.upserts.length; i += BATCH) {
      const batch = t.upserts.slice(i, i + BATCH);
      await db.run(`insert into findings_upsert (${FINDING_COLUMNS}) values ${batch.map(() => FINDING_VALUES).join(', ')}`, batch.flatMap(findingParams));
    }
    if (t.upserts.length) await db.run('insert or replace into findings select * from findings_upsert');
    for (let i = 0; i < t.history.length; i += BATCH) {
      const batch = t.history.slice(i, i + BATCH);
      await db.run(
        `insert into finding_history values ${batch.map(() => '(?, ?::timestamp, ?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((h) => [h.fingerprint, h.at.toISOString(), h.scan_id, h.from_status, h.to_status, h.note]),
      );
    }
  });
  await db.run('drop table if exists findings_upsert');
}

export async function recordScan(db: Duck, scan: { scanId: string; startedAt: Date; finishedAt: Date; status: string; summary: unknown }): Promise<void> {
  await db.run('insert or replace into scans values (?, ?::timestamp, ?::timestamp, ?, ?)', [
    scan.scanId, scan.startedAt.toISOString(), scan.finishedAt.toISOString(), scan.status, JSON.stringify(scan.summary),
  ]);
}
