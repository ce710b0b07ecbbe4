// The one flat shape of a finding used by listings and exports (stable, documented columns).
import type { FindingRow } from '../findings/model.js';

export const findingColumns = [
  'fingerprint', 'rule_id', 'severity', 'status', 'new', 'instance', 'resource_type', 'resource', 'reason',
  'first_seen', 'last_seen', 'resolved_at', 'reopened', 'suppressed_until', 'suppressed_by', 'suppressed_reason', 'evidence',
] as const;
export type FindingColumn = (typeof findingColumns)[number];

export interface FlatFinding {
  fingerprint: string;
  rule_id: string;
  severity: string;
  status: string;
  new: boolean;
  instance: string;
  resource_type: string | null;
  resource: string;
  reason: string | null;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
  reopened: number;
  suppressed_until: string | null;
  suppressed_by: string | null;
  suppressed_reason: string | null;
  evidence: Record<string, unknown>;
}

export function flatten(f: FindingRow, lastScanId: string | undefined): FlatFinding {
  return {
    fingerprint: f.fingerprint,
    rule_id: f.rule_id,
    severity: f.severity,
    status: f.status,
    new: !!lastScanId && f.opened_in_scan === lastScanId && f.status === 'open',
    instance: f.instance,
    resource_type: f.resource_type,
    resource: f.resource,
    reason: f.reason,
    first_seen: f.first_seen.toISOString(),
    last_seen: f.last_seen.toISOString(),
    resolved_at: f.resolved_at?.toISOString() ?? null,
    reopened: f.reopened,
    suppressed_until: f.suppressed_until?.toISOString() ?? null,
    suppressed_by: f.suppressed_by,
    suppressed_reason: f.suppressed_reason,
    evidence: JSON.parse(f.evidence) as Record<string, unknown>,
  };
}
