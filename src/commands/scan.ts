// `shadowscan scan`: pull every configured instance (or one), each isolated — one failing source
// never stops the others and is reported partial/failed with what to do — then run the rules
// and move the findings. Exit: 1 findings at/above --fail-on, 3 a source failed or was partial.
import { Command } from 'commander';
import { ExitWith, UserError, errorMessage } from '../errors.js';
import { loadConnector } from '../connectors/catalog.js';
import type { StreamRunResult } from '../connectors/types.js';
import { createContext, openContextEngine, openWriter } from '../context.js';
import { instanceSecrets } from '../config/load.js';
import { applyRetention } from '../store/retention.js';
import { evaluate, newScanId } from '../scan/evaluate.js';
import { severities, severityRank } from '../findings/model.js';
import { safeExample } from '../redact.js';
import { failOnOption } from './findings.js';
import { globals, printRunResults, sourcesExitCode } from './common.js';

export function scanCommand(): Command {
  return new Command('scan')
    .description('pull every configured instance, run the rules, update the findings')
    .option('--instance <name>', 'scan only this instance (rules still judge every instance)')
    .addOption(failOnOption())
    .addHelpText(
      'after',
      `
Examples:
  shadowscan scan
  shadowscan scan --instance proxy-hq --json
  shadowscan scan --fail-on high          # exit 1 when a high or critical finding is open

Exit codes: 0 ok, 1 findings at/above --fail-on, 2 config/usage error, 3 some source failed or
was partial (its scope resolves nothing this time).`,
    )
    .action(async (opts: { instance?: string; failOn?: string }, cmd: Command) => {
      const ctx = createContext(globals(cmd));
      const instances = Object.entries(ctx.loaded.config.instances).filter(([name]) => !opts.instance || name === opts.instance);
      if (opts.instance && instances.length === 0) {
        throw new UserError(`no instance named ${opts.instance} in ${ctx.loaded.file ?? 'the config'}`, { hint: 'see the instances: section of shadowscan.yaml' });
      }
      if (instances.length === 0 && !ctx.json) process.stderr.write('no instances are configured: judging imported data only (add instances: to shadowscan.yaml to pull sources)\n');
      const startedAt = new Date(ctx.clock.now());
      const scanId = newScanId(startedAt.getTime());
      const { lock } = await openWriter(ctx, 'scan');
      const engine = await openContextEngine(ctx);
      const results: StreamRunResult[] = [];
      try {
        for (const [name, config] of instances) {
          const connector = await loadConnector(config.type);
          if (!connector?.scan) continue;
          let secrets;
          try {
            secrets = instanceSecrets(ctx.loaded, name);
          } catch (e) {
            // A missing secret fails this instance only; the others are still scanned.
            const details = e instanceof UserError ? e.details.join('; ') : '';
            results.push({
              instance: name, stream: '*', syncId: '', status: 'failed', linesRead: 0, rowsWritten: 0, rejects: 0, rejectExamples: [],
              bytesRead: 0, files: 0, error: `${errorMessage(e)}${details ? `: ${details}` : ''}`, hint: e instanceof UserError ? e.hint : undefined,
            });
            continue;
          }
          try {
            results.push(...(await connector.scan({ paths: ctx.paths, clock: ctx.clock, engine, instance: name, progress: ctx.progress, secrets }, config)));
          } catch (e) {
            if (e instanceof UserError) throw e;
            results.push({
              instance: name, stream: '*', syncId: '', status: 'failed', linesRead: 0, rowsWritten: 0, rejects: 0,
              rejectExamples: [], bytesRead: 0, files: 0, error: errorMessage(e), hint: 'run `shadowscan doctor` for this instance',
            });
          }
        }
        const purged = await applyRetention(ctx.paths, ctx.loaded.config.retention_days, ctx.clock);
        const sourcesOk = results.every((r) => r.status === 'ok');
        ctx.progress.update('running rules…');
        const evaluation = await evaluate(ctx, engine, { scanId, startedAt, sourcesStatus: sourcesOk ? 'ok' : 'partial' });
        ctx.progress.done();
        const failOn = opts.failOn && Object.entries(evaluation.findings.bySeverity).some(([sev, n]) => n > 0 && severityRank(sev) >= severityRank(opts.failOn!));
        const code = failOn ? 1 : sourcesExitCode(results);
        printRunResults(results, ctx.json, { scan_id: scanId, evaluation, retention_removed_files: purged.files.length }, code);
        if (!ctx.json) printEvaluation(evaluation);
        if (code !== 0) throw new ExitWith(code as 1 | 3);
      } finally {
        engine.close();
        lock.release();
      }
    });
}

function printEvaluation(e: Awaited<ReturnType<typeof evaluate>>): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('');
  out(`rules: ${e.rules} run — ${e.results.alarm} alarm, ${e.results.ok} ok, ${e.results.info} info, ${e.results.skip} skipped`);
  for (const s of e.skipped) out(`  skipped ${s.rule_id} for ${s.instance}: ${safeExample(s.reason, 300)}`);
  if (e.registry === 'empty') out('  warning: no registry loaded, so every app counts as unregistered');
  const sev = [...severities].reverse().filter((s) => e.findings.bySeverity[s]).map((s) => `${e.findings.bySeverity[s]} ${s}`).join(', ');
  out(`findings: ${e.findings.open} open${sev ? ` (${sev})` : ''}, ${e.findings.new} new, ${e.findings.reopened} reopened, ${e.findings.resolved} resolved, ${e.findings.suppressed} suppressed`);
  if (e.findings.open) out('next: `shadowscan findings` to triage, `shadowscan report --format csv --out findings.csv` for a report');
}
