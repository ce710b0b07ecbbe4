// `shadowscan purge --before DATE`: delete lake partitions older than DATE (asks on a TTY).
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { createContext, openWriter } from '../context.js';
import { formatBytes } from '../output/progress.js';
import { executePurge, planPurge } from '../store/retention.js';
import { globals } from './common.js';

export function purgeCommand(): Command {
  return new Command('purge')
    .description('delete lake data older than a date')
    .requiredOption('--before <date>', 'remove day partitions before this date (YYYY-MM-DD)')
    .option('--stream <name...>', 'only these streams (e.g. egress_hourly)')
    .option('--dry-run', 'show what would be removed, remove nothing')
    .option('--yes', 'do not ask for confirmation')
    .addHelpText('after', `
Examples:
  shadowscan purge --before 2026-01-01 --dry-run
  shadowscan purge --before 2026-01-01 --yes

The latest complete snapshot of each instance is always kept.`)
    .action(async (opts: { before: string; stream?: string[]; dryRun?: boolean; yes?: boolean }, cmd: Command) => {
      // Date.parse rolls impossible dates over (2026-02-30 → 03-02): require a round trip.
      const parsed = Date.parse(`${opts.before}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.before) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== opts.before) {
        throw new UserError(`--before must be a date like 2026-01-31, got ${JSON.stringify(opts.before)}`);
      }
      const ctx = createContext(globals(cmd));
      const { lock } = await openWriter(ctx, 'purge');
      try {
        const plan = await planPurge(ctx.paths, new Date(`${opts.before}T00:00:00Z`), opts.stream ? new Set(opts.stream) : undefined);
        const summary = { before: plan.before, files: plan.files.length, bytes: plan.bytes, dry_run: !!opts.dryRun, days: [...new Set(plan.files.map((f) => f.day))].sort() };
        if (opts.dryRun || plan.files.length === 0) {
          process.stdout.write(ctx.json ? `${JSON.stringify({ ...summary, removed: false }, null, 2)}\n` : `would remove ${plan.files.length} file(s), ${formatBytes(plan.bytes)}, in ${summary.days.length} day partition(s) before ${plan.before}\n`);
          return;
        }
        if (!opts.yes) {
          if (!process.stdin.isTTY) throw new UserError('purge deletes data: pass --yes to confirm when not on a terminal', { hint: 'or --dry-run to see what it would remove' });
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`remove ${plan.files.length} file(s), ${formatBytes(plan.bytes)}, before ${plan.before}? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) {
            process.stderr.write('nothing removed\n');
            return;
          }
        }
        await executePurge(ctx.paths, plan);
        process.stdout.write(ctx.json ? `${JSON.stringify({ ...summary, removed: true }, null, 2)}\n` : `removed ${plan.files.length} file(s), ${formatBytes(plan.bytes)}\n`);
      } finally {
        lock.release();
      }
    });
}
