// `shadowscan doctor`: checks config, credentials, reachability and each stream's permissions,
// and says exactly what is missing. Exit 0 when all checks pass, 3 otherwise.
import { Command } from 'commander';
import { ExitWith, UserError, errorMessage } from '../errors.js';
import { loadConnector } from '../connectors/catalog.js';
import type { DoctorCheck } from '../connectors/types.js';
import { instanceSecrets } from '../config/load.js';
import { createContext, openContextEngine } from '../context.js';
import { renderRows } from '../output/render.js';
import { globals } from './common.js';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check config, credentials, reachability and permissions of each instance')
    .option('--instance <name>', 'check only this instance')
    .addHelpText('after', `
Examples:
  shadowscan doctor
  shadowscan doctor --instance okta-prod --json`)
    .action(async (opts: { instance?: string }, cmd: Command) => {
      const ctx = createContext(globals(cmd));
      const instances = Object.entries(ctx.loaded.config.instances).filter(([n]) => !opts.instance || n === opts.instance);
      if (opts.instance && instances.length === 0) throw new UserError(`no instance named ${opts.instance}`, { hint: 'see instances: in shadowscan.yaml' });
      const checks: DoctorCheck[] = [{ instance: '-', check: 'config', ok: true, detail: ctx.loaded.file ? `${ctx.loaded.file} is valid` : 'no config file: defaults in use' }];
      const engine = await openContextEngine(ctx);
      try {
        for (const [name, config] of instances) {
          const connector = await loadConnector(config.type);
          if (!connector?.doctor) {
            checks.push({ instance: name, check: 'checks', ok: true, detail: `no live checks for type ${config.type}` });
            continue;
          }
          try {
            checks.push(...(await connector.doctor({ paths: ctx.paths, clock: ctx.clock, engine, instance: name, progress: ctx.progress, secrets: instanceSecrets(ctx.loaded, name) }, config)));
          } catch (e) {
            checks.push({ instance: name, check: 'doctor', ok: false, detail: errorMessage(e), hint: 'see the message' });
          }
        }
      } finally {
        engine.close();
      }
      const failed = checks.some((c) => !c.ok);
      if (ctx.json) process.stdout.write(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
      else {
        process.stdout.write(renderRows(checks.map((c) => ({ ...c, ok: c.ok ? 'ok' : 'FAIL', hint: c.hint ?? '' })), ['instance', 'check', 'ok', 'detail', 'hint'], 'table'));
      }
      if (failed) throw new ExitWith(3);
    });
}
