// `shadowscan rules list|test|run <id>`: show the rules, run their test cases, or run one rule
// over the lake with the registry and catalogs.
import { Command } from 'commander';
import { createContext, openContextEngine } from '../context.js';
import { sqlString } from '../db/duck.js';
import { ExitCode, ExitWith, UserError } from '../errors.js';
import { log } from '../log.js';
import { renderRows, terminalSafe, type OutputFormat } from '../output/render.js';
import { attachRuleContext } from '../rules/attach.js';
import { displayPath, loadConfiguredRules } from '../rules/load.js';
import { runRules } from '../rules/run.js';
import { testRules } from '../rules/test.js';
import { formatOption, globals } from './common.js';

export function rulesCommand(): Command {
  const cmd = new Command('rules').description('list rules, run their test cases, or run one over the lake');

  const list = new Command('list')
    .description('every rule: built-in (queries/) and from rules.dirs')
    .addOption(formatOption())
    .action((opts: { format?: OutputFormat }, c: Command) => {
      const ctx = createContext(globals(c));
      const rules = loadConfiguredRules(ctx.loaded);
      const format: OutputFormat = ctx.json ? 'json' : (opts.format ?? 'table');
      const rows = rules.map((r) => ({
        id: r.id, severity: r.severity, title: r.title, requires: format === 'json' ? r.requires : r.requires.join(' '),
        domain: r.domain, thresholds: format === 'json' ? r.thresholds : Object.entries(r.thresholds).map(([k, v]) => `${k}=${v}`).join(' '),
        tests: r.tests.length, file: displayPath(r.yamlFile),
      }));
      process.stdout.write(renderRows(rows, format === 'table' ? ['id', 'severity', 'title', 'requires'] : Object.keys(rows[0] ?? { id: 1 }), format));
    });

  const test = new Command('test')
    .description('run every test case of every rule (or of the rules named)')
    .argument('[ids...]', 'only these rules')
    .addHelpText('after', `
Exit codes: 0 every case passed; 2 a case failed or a rule file is invalid (file:line: field: message).

Examples:
  shadowscan rules test
  shadowscan rules test unregistered-app --json`)
    .action(async (ids: string[], _o: unknown, c: Command) => {
      const ctx = createContext(globals(c));
      const rules = pick(loadConfiguredRules(ctx.loaded), ids);
      const outcomes = await testRules(rules);
      const failed = outcomes.filter((o) => !o.pass);
      if (ctx.json) {
        process.stdout.write(`${JSON.stringify({ passed: outcomes.length - failed.length, failed: failed.length, cases: outcomes }, null, 2)}\n`);
      } else {
        for (const o of outcomes) {
          process.stdout.write(`${o.pass ? 'PASS' : 'FAIL'}  ${o.rule_id}: ${terminalSafe(o.case, 200)}\n`);
          if (!o.pass) process.stdout.write(`      ${terminalSafe(o.message, 2000)}\n`);
        }
        process.stdout.write(`\n${outcomes.length - failed.length} passed, ${failed.length} failed (${rules.length} rule${rules.length === 1 ? '' : 's'})\n`);
      }
      if (failed.length) throw new ExitWith(ExitCode.usage, `${failed.length} rule test case${failed.length === 1 ? '' : 's'} failed`);
    });

  const run = new Command('run')
    .description('run one rule over the lake (norm.*), the registry and the catalogs, and print its results')
    .argument('<id>', 'rule id (see `shadowscan rules list`)')
    .option('--instance <name>', 'only results of this instance')
    .addOption(formatOption())
    .addHelpText('after', `
Exit codes: 0 ran with every required source complete; 3 some instance was skipped because a
required source is missing or partial (its results are withheld); 2 unknown rule or bad config.

Examples:
  shadowscan rules run unregistered-egress
  shadowscan rules run unregistered-app --instance okta-prod --json`)
    .action(async (id: string, opts: { instance?: string; format?: OutputFormat }, c: Command) => {
      const ctx = createContext(globals(c));
      const [rule] = pick(loadConfiguredRules(ctx.loaded), [id]);
      const engine = await openContextEngine(ctx);
      try {
        const attached = await attachRuleContext(engine, ctx);
        for (const part of ['registry', 'catalogs'] as const) {
          if (attached[part] === 'empty') log().warn(`the ${part} module is not available; ${part === 'registry' ? 'registry.*' : 'catalog.*'} views are empty`);
        }
        // Rules only read: the engine may read the lake and nothing else from here on.
        await engine.run(`set allowed_directories = [${sqlString(`${ctx.paths.lake}/`)}]`);
        await engine.run('set enable_external_access = false');
        await engine.run('set lock_configuration = true');
        const results = (await runRules(engine, [rule!], { thresholds: ctx.loaded.config.rules.thresholds, sources: attached.sources }))
          .filter((r) => !opts.instance || r.instance === opts.instance);
        const format: OutputFormat = ctx.json ? 'json' : (opts.format ?? 'table');
        if (format === 'json') {
          const sources = attached.sources.filter((s) => rule!.requires.includes(s.view) && (!opts.instance || s.instance === opts.instance));
          process.stdout.write(`${JSON.stringify({ rule: rule!.id, registry: attached.registry, catalogs: attached.catalogs, sources, results }, null, 2)}\n`);
        } else {
          const rows = results.map((r) => ({ ...r, evidence: JSON.stringify(r.evidence) }));
          process.stdout.write(renderRows(rows, format === 'csv' ? ['instance', 'status', 'resource', 'resource_type', 'severity', 'reason', 'evidence'] : ['instance', 'status', 'resource', 'reason'], format));
        }
        if (results.some((r) => r.status === 'skip')) throw new ExitWith(ExitCode.sourceFailed);
      } finally {
        engine.close();
      }
    });

  for (const sub of [list, test, run]) cmd.addCommand(sub.exitOverride());
  return cmd;
}

function pick<T extends { id: string }>(rules: T[], ids: string[]): T[] {
  if (ids.length === 0) return rules;
  const unknown = ids.filter((id) => !rules.some((r) => r.id === id));
  if (unknown.length) {
    throw new UserError(`no rule ${unknown.join(', ')}`, { hint: `rules: ${rules.map((r) => r.id).join(', ')} (\`shadowscan rules list\`)` });
  }
  return rules.filter((r) => ids.includes(r.id));
}
