// The rule engine's types (docs/rules-and-findings.md "Rules"): a loaded rule, its test cases,
// what a run returns, and the state of the sources a rule depends on.
import type { Severity } from '../findings/model.js';

export const ruleStatuses = ['alarm', 'ok', 'info', 'skip'] as const;
export type RuleStatus = (typeof ruleStatuses)[number];

/** A value in a test row: what YAML gives (lists for VARCHAR[] columns, strings for timestamps). */
export type TestValue = string | number | boolean | null | TestValue[];

export interface RuleTestCase {
  name: string;
  /** Rows per view ("norm.grants", "registry.apps", …); every other view the rule reads is empty. */
  given: Record<string, Record<string, TestValue>[]>;
  /** `severity`, when given, must equal the result's (the row's own or the rule's). */
  expect: { resource: string; status: RuleStatus; instance?: string; severity?: Severity }[];
  /** Overrides of the rule's threshold defaults for this case. */
  thresholds: Record<string, number>;
  /** Source states for this case; any (instance, required view) not listed is complete. */
  sources: SourceStatus[];
}

export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  risk: string;
  remediation: string;
  references: string[];
  tags: string[];
  /** Views whose sources must be complete in a scope (norm.*), plus the registry and catalog views it reads. */
  requires: string[];
  /** Threshold defaults, bound as DuckDB variables: getvariable('name'). */
  thresholds: Record<string, number>;
  tests: RuleTestCase[];
  sql: string;
  /** The <domain> folder the rule lives in (identity, egress, …). */
  domain: string;
  yamlFile: string;
  sqlFile: string;
  /** Shipped in the repo's queries/ (true) or from a rules.dirs folder. */
  builtin: boolean;
}

export interface RuleResult {
  rule_id: string;
  instance: string;
  resource: string;
  resource_type: string;
  status: RuleStatus;
  reason: string;
  severity: Severity;
  evidence: Record<string, unknown>;
}

export type SourceState = 'complete' | 'partial' | 'missing';

export interface SourceStatus {
  instance: string;
  /** Qualified norm view, e.g. "norm.grants". */
  view: string;
  state: SourceState;
  /** Why it is not complete (which stream, which sync state); shown in skip reasons. */
  detail?: string;
}
