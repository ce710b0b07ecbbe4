// `shadowscan import <type> <file…>`: load exported files or logs into the lake for an instance.
import { Command, Option } from 'commander';
import { UserError, ExitWith } from '../errors.js';
import { connectorTypes, loadConnector } from '../connectors/catalog.js';
import { createContext, openContextEngine, openWriter } from '../context.js';
import { IDENT } from '../config/schema.js';
import { globals, printRunResults } from './common.js';
import { tracePoint } from '../log.js';

export function importCommand(): Command {
  return new Command('import')
    .description('import files (logs or provider exports) for one instance')
    .argument('<type>', `connector type (${connectorTypes.join(', ')})`)
    .argument('<files...>', 'files, directories or globs; .gz is read transparently')
    .option('--instance <name>', 'instance the rows belong to (default: the type name)')
    .option('--format <format>', 'force a file format instead of detecting it (squid: native, common, combined; entra: graph-json, powershell, azure-monitor, m365-audit, portal-csv; zeek: tsv, json; see docs/egress-formats.md)')
    .addOption(new Option('--complete', 'the files are a complete snapshot (lets findings in this scope resolve)'))
    .addHelpText(
      'after',
      `
Examples:
  shadowscan import squid /var/log/squid/access.log
  shadowscan import squid 'logs/access.log*' --instance proxy-hq
  shadowscan import squid old.log.gz --format native --json
  shadowscan import entra exports/*.json --complete       # Graph exports: the whole tenant
  shadowscan import entra InteractiveSignIns_2025-06-04.csv AuditLogs.jsonl.gz
  shadowscan import zeek /opt/zeek/logs/current/ssl.log /opt/zeek/logs/2026-01-0*/dns.*.log.gz
  shadowscan import paloalto traffic.csv --instance pa-hq    # pa-hq configured with timezone:

Files are tailed: importing the same file again, an appended file or a rotated copy reads each
line exactly once. Malformed lines are counted as rejects with examples (file:line: reason).`,
    )
    .action(async (type: string, files: string[], opts: { instance?: string; format?: string; complete?: boolean }, cmd: Command) => {
      tracePoint('import: start');
      const g = globals(cmd);
      const connector = await loadConnector(type);
      if (!connector?.importFiles) {
        throw new UserError(`unknown import type: ${type}`, { hint: `use one of: ${connectorTypes.join(', ')}` });
      }
      const instance = opts.instance ?? type;
      if (!IDENT.test(instance)) throw new UserError(`bad --instance ${JSON.stringify(instance)}`, { hint: 'use lowercase letters, digits, - and _' });
      const ctx = createContext(g);
      const configured = ctx.loaded.config.instances[instance];
      if (configured && configured.type !== type) {
        throw new UserError(`instance ${instance} is configured as type ${configured.type}, not ${type}`, { hint: 'pick another --instance name' });
      }
      const { lock } = await openWriter(ctx, `import ${type}`);
      const engine = await openContextEngine(ctx);
      tracePoint('import: engine open');
      try {
        const results = await connector.importFiles({ paths: ctx.paths, clock: ctx.clock, engine, instance, progress: ctx.progress }, {
          files,
          format: opts.format,
          complete: opts.complete,
          config: configured,
        });
        tracePoint('import: files imported');
        const code = printRunResults(results, ctx.json);
        if (code !== 0) throw new ExitWith(3);
      } finally {
        engine.close();
        lock.release();
      }
    });
}
