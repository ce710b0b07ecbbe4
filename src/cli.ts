// Entry point: parses argv and holds the ONLY top-level error handler, which maps errors to the
// exit codes in DESIGN.md: 0 ok, 1 findings at/above --fail-on, 2 usage/config/input,
// 3 a source failed or was partial, 70 internal bug (stack only with --debug).
import { Command, CommanderError } from 'commander';
import { ExitCode, ExitWith, ExternalError, UserError } from './errors.js';
import { setLogLevel } from './log.js';
import { redactText } from './redact.js';
import { terminalSafe } from './output/render.js';
import { doctorCommand } from './commands/doctor.js';
import { findingsCommand } from './commands/findings.js';
import { reportCommand } from './commands/report.js';
import { rulesCommand } from './commands/rules.js';
import { importCommand } from './commands/import.js';
import { initCommand } from './commands/init.js';
import { purgeCommand } from './commands/purge.js';
import { queryCommand } from './commands/query.js';
import { registryCommand } from './commands/registry.js';
import { scanCommand } from './commands/scan.js';
import { statusCommand } from './commands/status.js';

export function buildProgram(): Command {
  const program = new Command('shadowscan')
    .description('find shadow IT: unreviewed apps, scripts, bots and AI agents wired into company data')
    .option('-c, --config <file>', 'config file (default ./shadowscan.yaml, or $SHADOWSCAN_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default from config: ./.shadowscan)')
    .option('--json', 'machine-readable output on stdout')
    .option('--debug', 'verbose logs and stack traces')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', `
Examples:
  shadowscan init                                   write a commented shadowscan.yaml
  shadowscan import squid /var/log/squid/access.log
  shadowscan query "select domain, count(distinct user) users from norm.egress group by 1 order by 2 desc limit 5"
  shadowscan scan                                   pull every configured instance
  shadowscan status --json`);
  program.hook('preAction', (cmd) => {
    if (cmd.opts().debug) setLogLevel('debug');
  });
  for (const c of [initCommand(), importCommand(), scanCommand(), queryCommand(), statusCommand(), doctorCommand(), findingsCommand(), rulesCommand(), registryCommand(), reportCommand(), purgeCommand()]) {
    program.addCommand(c.exitOverride());
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  process.umask(0o077); // data files 0600, directories 0700
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (e) {
    return handleError(e, debug);
  }
}

function handleError(e: unknown, debug: boolean): number {
  const say = (s: string) => process.stderr.write(`${terminalSafe(redactText(s), 20_000).replace(/\uFFFD/g, ' ')}\n`);
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage; // commander already printed the message
  }
  if (e instanceof ExitWith) {
    if (e.message) say(e.message);
    return e.code;
  }
  if (e instanceof UserError) {
    say(`error: ${e.message}`);
    for (const d of e.details) process.stderr.write(`  ${terminalSafe(redactText(d), 2000)}\n`);
    if (e.hint) say(`hint: ${e.hint}`);
    return ExitCode.usage;
  }
  if (e instanceof ExternalError) {
    say(`error: ${e.source}: ${e.message}`);
    if (e.hint) say(`hint: ${e.hint}`);
    return ExitCode.sourceFailed;
  }
  say(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${redactText(e.stack)}\n`);
  else say('this is a bug in shadowscan; run again with --debug for the stack trace and report it');
  return ExitCode.internal;
}

const code = await main(process.argv);
process.exitCode = code;
