// `shadowscan query "<SQL>"`: read-only SQL over the lake views (raw.*, norm.*), in an in-memory
// engine that may read only the lake and cannot write, attach, install or change settings.
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { createContext, openContextEngine, type GlobalOptions } from '../context.js';
import { ReadOnlyViolation, sqlString } from '../db/duck.js';
import { dirname, resolve } from 'node:path';
import { attachLake } from '../store/lake.js';
import { attributionSettings } from '../norm/attribution.js';
import { attachCatalogViews, attachRegistryViews, CONTEXT_MODULES } from '../rules/attach.js';
import { outputFormats, renderRows, type OutputFormat } from '../output/render.js';
import { globals, formatOption } from './common.js';

export function queryCommand(): Command {
  return new Command('query')
    .description('run a read-only SQL query over the lake (norm.* and raw.* views)')
    .argument('<sql>', 'SELECT statement(s)')
    .addOption(formatOption())
    .option('--window-days <days>', 'limit event views (norm.egress, norm.signins, …) to the last N days, as rules see them')
    .addHelpText(
      'after',
      `
Examples:
  shadowscan query "select domain, count(distinct user) users from norm.egress group by 1 order by 2 desc limit 5"
  shadowscan query "select * from norm.egress limit 20" --format csv > egress.csv
  shadowscan query "describe norm.egress" --json

Views: norm.apps, norm.grants, norm.app_credentials, norm.signins, norm.admin_events, norm.egress,
norm.cloud_events, norm.people, raw.<connector>_<stream>, registry.apps/identities/domains,
catalog.domains/noise_domains/first_party_apps/company_domains. All imported data is shown unless
--window-days is given (rules use rules.window_days from the config).
Only SELECT is allowed: COPY, ATTACH, INSTALL/LOAD, SET, EXPLAIN ANALYZE and any writing statement are refused.`,
    )
    .action(async (sql: string, opts: { format?: OutputFormat; windowDays?: string }, cmd: Command) => {
      const g = globals(cmd);
      const format: OutputFormat = g.json ? 'json' : (opts.format ?? 'table');
      let windowDays: number | undefined;
      if (opts.windowDays !== undefined) {
        windowDays = Number(opts.windowDays);
        if (!Number.isInteger(windowDays) || windowDays < 1) throw new UserError(`--window-days must be a whole number of days, got ${JSON.stringify(opts.windowDays)}`);
      }
      process.stdout.write(await runQuery(g, sql, format, windowDays));
    });
}

export async function runQuery(g: GlobalOptions, sql: string, format: OutputFormat, windowDays?: number): Promise<string> {
  if (!outputFormats.includes(format)) throw new UserError(`unknown --format ${format}`, { hint: `use one of ${outputFormats.join(', ')}` });
  const ctx = createContext(g);
  const engine = await openContextEngine(ctx);
  try {
    const attribution = attributionSettings(ctx.loaded.config);
    await attachLake(engine, ctx.paths, windowDays ? { windowStart: new Date(ctx.clock.now() - windowDays * 86_400_000), attribution } : { attribution });
    // registry.* and catalog.* too, so ad-hoc SQL can join what the rules join.
    const base = ctx.loaded.file ? dirname(ctx.loaded.file) : process.cwd();
    await attachRegistryViews(engine, resolve(base, ctx.loaded.config.registry.dir), CONTEXT_MODULES.registry);
    await attachCatalogViews(engine, ctx.loaded.config.company_domains, CONTEXT_MODULES.catalog, ctx.loaded.config.catalog.domains);
    // Lock the engine down: read only the lake, nothing else, and freeze the settings.
    await engine.run(`set allowed_directories = [${sqlString(`${ctx.paths.lake}/`)}]`);
    await engine.run('set enable_external_access = false');
    await engine.run('set lock_configuration = true');
    try {
      const { columns, rows } = await engine.readOnlyQuery(sql);
      return renderRows(rows, columns, format);
    } catch (e) {
      if (e instanceof ReadOnlyViolation) throw new UserError(`refused: ${e.message}`, { hint: 'query is read-only; use `shadowscan report` to write files' });
      const msg = String(e instanceof Error ? e.message : e).replace(/^Error: /, '');
      if (/Parser Error|Binder Error|Catalog Error|Conversion Error|Invalid Input|Permission Error|Not implemented/i.test(msg)) {
        throw new UserError(`the query failed: ${msg.split('\n').slice(0, 6).join('\n')}`, { hint: 'list the views with: shadowscan query "show all tables"' });
      }
      throw e;
    }
  } finally {
    engine.close();
  }
}
