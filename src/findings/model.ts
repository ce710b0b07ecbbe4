// Findings: what persists across scans. Pure types and the fingerprint.
import { createHash } from 'node:crypto';
import type { RuleResult } from '../rules/model.js';

export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

export function severityRank(s: string): number {
  const i = severities.indexOf(s as Severity);
  return i < 0 ? -1 : i;
}

/** One rule result: the lifecycle takes the rule engine's results as they are. */
export type FindingInput = RuleResult;

export type FindingStatus = 'open' | 'resolved' | 'suppressed';

export interface FindingRow {
  fingerprint: string;
  rule_id: string;
  instance: string;
  resource: string;
  resource_type: string | null;
  severity: string;
  status: FindingStatus;
  reason: string | null;
  evidence: string;
  first_seen: Date;
  last_seen: Date;
  resolved_at: Date | null;
  reopened: number;
  opened_in_scan: string | null;
  last_scan_id: string | null;
  suppressed_until: Date | null;
  suppressed_reason: string | null;
  suppressed_by: string | null;
}

export interface HistoryRow {
  fingerprint: string;
  at: Date;
  scan_id: string | null;
  from_status: FindingStatus | null;
  to_status: FindingStatus;
  note: string | null;
}

/** Stable across scans and distinct per tenant: hash of (rule, instance, resource). */
export function fingerprint(ruleId: string, instance: string, resource: string): string {
  // JSON encoding, not a separator: hostile resource strings may contain any character.
  return createHash('sha256').update(JSON.stringify([ruleId, instance, resource])).digest('hex');
}

/** Key of a scope in which a rule was evaluated with every required source complete. */
export function scopeKey(ruleId: string, instance: string): string {
  return JSON.stringify([ruleId, instance]);
}
