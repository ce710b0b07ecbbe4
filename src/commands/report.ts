// `shadowscan report --format csv|json [--out PATH]`: the findings (all statuses) with the last
// scan and the state of every source, for audits and scripts. Columns: docs/report-format.md.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { createContext } from '../context.js';
import { exporters, type ReportData, type ReportFormat } from '../export/index.js';
import { flatten } from '../export/findings-table.js';
import { loadFindings } from '../findings/store.js';
import { withFindings } from '../findings/query.js';
import { severityRank } from '../findings/model.js';
import { globals } from './common.js';

export const VERSION = '0.1.0';

export function reportCommand(): Command {
  return new Command('report')
    .description('write a findings report (CSV or JSON) for an audit or a script')
    .addOption(new Option('--format <format>', 'report format').choices(Object.keys(exporters)).default('json'))
    .option('--out <path>', 'write to this file instead of stdout')
    .addHelpText('after', `
Examples:
  shadowscan report --format csv --out findings.csv
  shadowscan report --format json | jq '.findings[] | select(.status == "open")'

Columns and schema: docs/report-format.md. CSV cells starting with = + - @ tab or CR are
prefixed with ' so spreadsheets never run them.`)
    .action(async (opts: { format: ReportFormat; out?: string }, c: Command) => {
      const ctx = createContext(globals(c));
      const data = await buildReport(ctx.paths, new Date(ctx.clock.now()));
      const text = exporters[opts.format](data);
      if (opts.out) {
        const path = resolve(opts.out);
        writeFileSync(path, text, { mode: 0o600 });
        process.stderr.write(`wrote ${data.findings.length} finding(s) to ${path}\n`);
      } else process.stdout.write(text);
    });
}

export async function buildReport(paths: Parameters<typeof withFindings>[0], now: Date): Promise<ReportData> {
  return withFindings(paths, async (db, last) => {
    const findings = (await loadFindings(db)).map((f) => flatten(f, last?.scan_id));
    findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.rule_id.localeCompare(b.rule_id) || a.resource.localeCompare(b.resource));
    const sources = await db.all<ReportData['sources'][number]>(
      `select instance, stream, status, finished_at::varchar as finished_at, rows_written as rows, rejects
         from syncs qualify row_number() over (partition by instance, stream order by started_at desc) = 1 order by instance, stream`,
    );
    return {
      generated_at: now.toISOString(),
      tool: { name: 'shadowscan', version: VERSION },
      last_scan: last
        ? { scan_id: last.scan_id, started_at: new Date(last.started_at).toISOString(), finished_at: new Date(last.finished_at).toISOString(), status: last.status, summary: JSON.parse(last.summary) as unknown }
        : null,
      sources,
      findings,
    };
  });
}
