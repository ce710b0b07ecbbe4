// Report exporters, one per format, in a Record the compiler checks is complete. Every string
// is hostile: CSV neutralizes formula prefixes (= + - @ tab CR) in every cell, JSON
// round-trips values exactly (JSON.stringify escapes control characters).
import { stringify } from 'csv-stringify/sync';
import { csvCell } from '../output/render.js';
import { findingColumns, type FlatFinding } from './findings-table.js';

export const REPORT_SCHEMA = 'shadowscan.report/v1';

export interface ReportData {
  generated_at: string;
  tool: { name: 'shadowscan'; version: string };
  last_scan: { scan_id: string; started_at: string; finished_at: string; status: string; summary: unknown } | null;
  sources: { instance: string; stream: string; status: string; finished_at: string | null; rows: number; rejects: number }[];
  findings: FlatFinding[];
}

export type ReportFormat = 'csv' | 'json';

export const exporters: Record<ReportFormat, (data: ReportData) => string> = {
  csv: (data) =>
    stringify([
      [...findingColumns],
      ...data.findings.map((f) => findingColumns.map((c) => csvCell(c === 'evidence' ? JSON.stringify(f.evidence) : f[c]))),
    ]),
  json: (data) => `${JSON.stringify({ schema: REPORT_SCHEMA, ...data }, null, 2)}\n`,
};
