// `shadowscan findings [list|show|diff|suppress|unsuppress]`: work the findings.
import { Command, Option } from 'commander';
import { ExitWith, UserError } from '../errors.js';
import { createContext } from '../context.js';
import { newDecision, operatorName, recordDecision, replayDecisions } from '../findings/decisions.js';
import { severities, severityRank, type FindingRow } from '../findings/model.js';
import { loadFindings } from '../findings/store.js';
import { withFindings } from '../findings/query.js';
import { flatten, type FlatFinding } from '../export/findings-table.js';
import { renderRows, terminalSafe, type OutputFormat } from '../output/render.js';
import { withState } from '../store/state.js';
import { formatOption, globals } from './common.js';

export function failOnOption(): Option {
  return new Option('--fail-on <severity>', 'exit 1 when an open finding is at or above this severity').choices([...severities]);
}

/** Exit code 1 when any open finding reaches the threshold. */
export function failOnCode(findings: { status: string; severity: string }[], failOn: string | undefined): number {
  if (!failOn) return 0;
  return findings.some((f) => f.status === 'open' && severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}

async function resolveFingerprint(rows: FindingRow[], prefix: string): Promise<FindingRow> {
  if (!/^[0-9a-f]{6,64}$/.test(prefix)) throw new UserError(`not a finding fingerprint: ${JSON.stringify(prefix)}`, { hint: 'use at least 6 hex characters from `shadowscan findings`' });
  const hits = rows.filter((r) => r.fingerprint.startsWith(prefix));
  if (hits.length === 0) throw new UserError(`no finding ${prefix}`, { hint: 'list them with `shadowscan findings --status all`' });
  if (hits.length > 1) throw new UserError(`${prefix} matches ${hits.length} findings`, { hint: 'give more characters' });
  return hits[0]!;
}

function parseFuture(value: string, now: number): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new UserError(`--until is not a date: ${JSON.stringify(value)}`, { hint: 'use YYYY-MM-DD or an ISO time' });
  if (d.getTime() <= now) throw new UserError(`--until ${value} is not in the future`, { hint: 'suppressions must expire; pick a date after today' });
  return d;
}

const LIST_COLUMNS = ['id', 'severity', 'status', 'new', 'rule_id', 'instance', 'resource', 'reason', 'last_seen'];

export function findingsCommand(): Command {
  const cmd = new Command('findings').description('list and triage findings (`findings` alone = `findings list`)');

  const list = new Command('list')
    .description('list findings (default: open)')
    .aliases([])
    .addOption(new Option('--status <status>', 'which findings').choices(['open', 'resolved', 'suppressed', 'all']).default('open'))
    .option('--new', 'only findings new in the last scan')
    .option('--rule <id>', 'only this rule')
    .option('--instance <name>', 'only this instance')
    .addOption(formatOption())
    .addOption(failOnOption())
    .addHelpText('after', `
Examples:
  shadowscan findings
  shadowscan findings list --status all --json
  shadowscan findings --new --fail-on high`)
    .action(async (opts: { status: string; new?: boolean; rule?: string; instance?: string; format?: OutputFormat; failOn?: string }, c: Command) => {
      const ctx = createContext(globals(c));
      const flat = await withFindings(ctx.paths, async (db, last) => (await loadFindings(db, 'order by severity, rule_id, resource')).map((f) => flatten(f, last?.scan_id)));
      const shown = flat
        .filter((f) => opts.status === 'all' || f.status === opts.status)
        .filter((f) => !opts.new || f.new)
        .filter((f) => !opts.rule || f.rule_id === opts.rule)
        .filter((f) => !opts.instance || f.instance === opts.instance)
        .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.rule_id.localeCompare(b.rule_id) || a.resource.localeCompare(b.resource));
      const format: OutputFormat = ctx.json ? 'json' : (opts.format ?? 'table');
      if (format === 'json') process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      else {
        const rows = shown.map((f) => ({ ...f, id: format === 'table' ? f.fingerprint.slice(0, 12) : f.fingerprint, new: f.new ? 'new' : '' }));
        process.stdout.write(renderRows(rows, format === 'csv' ? [...LIST_COLUMNS, 'evidence'] : LIST_COLUMNS, format));
      }
      const code = failOnCode(shown, opts.failOn);
      if (code) throw new ExitWith(1);
    });

  const show = new Command('show')
    .description('one finding with its evidence and history')
    .argument('<fingerprint>', 'fingerprint or a unique prefix (≥ 6 characters)')
    .action(async (prefix: string, _o: unknown, c: Command) => {
      const ctx = createContext(globals(c));
      const out = await withFindings(ctx.paths, async (db, last) => {
        const f = await resolveFingerprint(await loadFindings(db), prefix);
        const history = await db.all('select changed_at, scan_id, from_status, to_status, note from finding_history where fingerprint = ? order by changed_at', [f.fingerprint]);
        return { finding: flatten(f, last?.scan_id), history };
      });
      if (ctx.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      else {
        const f = out.finding;
        const lines = Object.entries(f).filter(([k]) => k !== 'evidence').map(([k, v]) => ({ field: k, value: v }));
        lines.push(...Object.entries(f.evidence).map(([k, v]) => ({ field: `evidence.${k}`, value: typeof v === 'object' ? JSON.stringify(v) : v })));
        process.stdout.write(renderRows(lines, ['field', 'value'], 'table'));
        process.stdout.write('\nhistory:\n');
        process.stdout.write(renderRows(out.history as Record<string, unknown>[], ['changed_at', 'scan_id', 'from_status', 'to_status', 'note'], 'table'));
      }
    });

  const diff = new Command('diff')
    .description('what the last scan changed: new, reopened and resolved findings')
    .addOption(formatOption())
    .addOption(failOnOption())
    .action(async (opts: { format?: OutputFormat; failOn?: string }, c: Command) => {
      const ctx = createContext(globals(c));
      const out = await withFindings(ctx.paths, async (db, last) => {
        if (!last) return { scan: null, changes: [] as (FlatFinding & { change: string })[] };
        const moved = await db.all<{ fingerprint: string; from_status: string | null; to_status: string }>(
          'select fingerprint, from_status, to_status from finding_history where scan_id = ?', [last.scan_id]);
        const rows = new Map((await loadFindings(db)).map((f) => [f.fingerprint, f]));
        const changes = moved.flatMap((m) => {
          const f = rows.get(m.fingerprint);
          if (!f) return [];
          const change = m.from_status === null ? 'new' : m.to_status === 'resolved' ? 'resolved' : m.to_status === 'open' ? 'reopened' : m.to_status;
          return [{ ...flatten(f, last.scan_id), change }];
        });
        return { scan: last.scan_id, changes };
      });
      const format: OutputFormat = ctx.json ? 'json' : (opts.format ?? 'table');
      if (format === 'json') process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      else process.stdout.write(renderRows(out.changes.map((f) => ({ ...f, id: f.fingerprint.slice(0, 12) })), ['change', 'id', 'severity', 'rule_id', 'instance', 'resource'], format));
      if (failOnCode(out.changes.filter((x) => x.change !== 'resolved'), opts.failOn)) throw new ExitWith(1);
    });

  const suppress = new Command('suppress')
    .description('suppress a finding until a date, with a reason (recorded in the audit log)')
    .argument('<fingerprint>')
    .requiredOption('--reason <text>', 'why (shown to auditors)')
    .requiredOption('--until <date>', 'when the suppression expires (must be in the future)')
    .addHelpText('after', `
Example:
  shadowscan findings suppress 3fa2c1d09e77 --reason "approved pilot, see SEC-123" --until 2027-03-31`)
    .action(async (prefix: string, opts: { reason: string; until: string }, c: Command) => decide(c, prefix, 'suppress', opts.reason, opts.until));

  const unsuppress = new Command('unsuppress')
    .description('end a suppression now (recorded in the audit log)')
    .argument('<fingerprint>')
    .requiredOption('--reason <text>', 'why')
    .action(async (prefix: string, opts: { reason: string }, c: Command) => decide(c, prefix, 'unsuppress', opts.reason, undefined));

  cmd.addCommand(list.exitOverride(), { isDefault: true });
  for (const sub of [show, diff, suppress, unsuppress]) cmd.addCommand(sub.exitOverride());
  return cmd;
}

async function decide(c: Command, prefix: string, action: 'suppress' | 'unsuppress', reason: string, until: string | undefined): Promise<void> {
  const ctx = createContext(globals(c));
  if (!reason.trim()) throw new UserError('--reason must not be empty');
  const untilDate = until === undefined ? null : parseFuture(until, ctx.clock.now());
  // Read the finding (briefly; the state may be busy with a scan — withState retries), after
  // replaying pending decisions so an unsuppress sees a suppress not yet applied; works on a
  // data dir where nothing was scanned yet ("no finding …", not an internal error).
  const finding = await withFindings(ctx.paths, async (db) => resolveFingerprint(await loadFindings(db), prefix));
  if (action === 'unsuppress' && finding.status !== 'suppressed') throw new UserError(`finding ${finding.fingerprint.slice(0, 12)} is ${finding.status}, not suppressed`);
  const decision = newDecision({
    fingerprint: finding.fingerprint,
    action,
    reason,
    by_user: operatorName(ctx.loaded.config.operator),
    until: untilDate?.toISOString() ?? null,
    at: new Date(ctx.clock.now()).toISOString(),
  });
  recordDecision(ctx.paths, decision, finding);
  // Apply now if the state DB is free; otherwise the next command (or the running scan) does.
  let applied = true;
  try {
    await withState(ctx.paths, (db) => replayDecisions(db, ctx.paths));
  } catch {
    applied = false;
  }
  const out = { decision, applied };
  // The resource is provider/log text: never echo its control sequences to the terminal.
  const what = terminalSafe(`${finding.rule_id} ${finding.instance} ${finding.resource}`, 300);
  process.stdout.write(ctx.json ? `${JSON.stringify(out, null, 2)}\n` : `${action === 'suppress' ? `suppressed until ${decision.until}` : 'unsuppressed'}: ${what}${applied ? '' : ' (recorded; applied when the running scan finishes)'}\n`);
}
