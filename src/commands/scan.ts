// `shadowscan scan`: run every configured instance (or one), each isolated: one failing source
// never stops the others, and its failure is reported as partial/failed with what to do.
import { Command } from 'commander';
import { ExitWith, UserError, errorMessage } from '../errors.js';
import { loadConnector } from '../connectors/catalog.js';
import type { StreamRunResult } from '../connectors/types.js';
import { createContext, openContextEngine, openWriter } from '../context.js';
import { instanceSecrets } from '../config/load.js';
import { applyRetention } from '../store/retention.js';
import { globals, printRunResults } from './common.js';

export function scanCommand(): Command {
  return new Command('scan')
    .description('pull every configured instance (file sources read only what is new)')
    .option('--instance <name>', 'scan only this instance')
    .addHelpText(
      'after',
      `
Examples:
  shadowscan scan
  shadowscan scan --instance proxy-hq --json

Exit codes: 0 ok, 2 config/usage error, 3 some source failed or was partial.`,
    )
    .action(async (opts: { instance?: string }, cmd: Command) => {
      const ctx = createContext(globals(cmd));
      const instances = Object.entries(ctx.loaded.config.instances).filter(([name]) => !opts.instance || name === opts.instance);
      if (opts.instance && instances.length === 0) {
        throw new UserError(`no instance named ${opts.instance} in ${ctx.loaded.file ?? 'the config'}`, { hint: 'see the instances: section of shadowscan.yaml' });
      }
      if (instances.length === 0) {
        throw new UserError('no instances are configured', { hint: 'add one under instances: in shadowscan.yaml (`shadowscan init` writes an example), or use `shadowscan import`' });
      }
      const { lock } = await openWriter(ctx, 'scan');
      const engine = await openContextEngine(ctx);
      const results: StreamRunResult[] = [];
      try {
        for (const [name, config] of instances) {
          const connector = await loadConnector(config.type);
          if (!connector?.scan) continue;
          try {
            results.push(...(await connector.scan({ paths: ctx.paths, clock: ctx.clock, engine, instance: name, progress: ctx.progress, secrets: instanceSecrets(ctx.loaded, name) }, config)));
          } catch (e) {
            if (e instanceof UserError) throw e;
            results.push({
              instance: name, stream: '*', syncId: '', status: 'failed', linesRead: 0, rowsWritten: 0, rejects: 0,
              rejectExamples: [], bytesRead: 0, files: 0, error: errorMessage(e), hint: 'run `shadowscan doctor` for this instance',
            });
          }
        }
        const purged = await applyRetention(ctx.paths, ctx.loaded.config.retention_days, ctx.clock);
        const code = printRunResults(results, ctx.json, { retention_removed_files: purged.files.length });
        if (code !== 0) throw new ExitWith(3);
      } finally {
        engine.close();
        lock.release();
      }
    });
}
