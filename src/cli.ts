// Entry point: parses argv and holds the ONLY top-level error handler, which maps errors to the
// exit codes in DESIGN.md: 0 ok, 1 findings at/above --fail-on, 2 usage/config/input,
// 3 a source failed or was partial, 70 internal bug (stack only with --debug).
import { Command, CommanderError } from 'commander';
import { ExitCode, ExitWith, ExternalError, UserError } from './errors.js';
import { setLogLevel } from './log.js';
import { redactText } from './redact.js';
import { terminalSafe } from './output/render.js';
/**
 * Every command, loaded on demand: a run imports only the module of the command it runs (and
 * its dependencies), which keeps start-up short — `shadowscan import` never loads the rule
 * engine or the Okta SDK. Top-level help loads them all. Order = order in help.
 */
const commands: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init.js')).initCommand(),
  import: async () => (await import('./commands/import.js')).importCommand(),
  scan: async () => (await import('./commands/scan.js')).scanCommand(),
  query: async () => (await import('./commands/query.js')).queryCommand(),
  status: async () => (await import('./commands/status.js')).statusCommand(),
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand(),
  findings: async () => (await import('./commands/findings.js')).findingsCommand(),
  rules: async () => (await import('./commands/rules.js')).rulesCommand(),
  registry: async () => (await import('./commands/registry.js')).registryCommand(),
  domains: async () => (await import('./commands/domains.js')).domainsCommand(),
  report: async () => (await import('./commands/report.js')).reportCommand(),
  purge: async () => (await import('./commands/purge.js')).purgeCommand(),
};

/** The command named in argv (the first argument that is not an option or an option's value). */
function requestedCommand(argv: string[]): string | undefined {
  const valued = new Set(['-c', '--config', '--data-dir']);
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (valued.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
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
  const wanted = requestedCommand(argv);
  const names = wanted && wanted in commands ? [wanted] : Object.keys(commands);
  for (const c of await Promise.all(names.map((n) => commands[n]!()))) program.addCommand(c.exitOverride());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  process.umask(0o077); // data files 0600, directories 0700
  const program = await buildProgram(argv);
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

/**
 * A reader that stops early (`shadowscan query … | head -1`) closes our stdout, and the next
 * write fails with EPIPE. Node ignores SIGPIPE, so without a listener that error is thrown from
 * the stream and the run dies with a stack trace. Like ripgrep (which exits 0 on a broken pipe)
 * and Node's exit-on-epipe/epipebomb packages, end the process at once, quietly, with exit 0:
 * whoever closed the pipe has what they wanted, and in `a | head` only head's status counts
 * anyway. Ending mid-command is safe: commands write their result to stdout after their work, and
 * the store survives a kill at any point (DESIGN.md "Commit protocol").
 * Any other write error (ENOSPC, EIO …) is not swallowed: it is reported and exits 2, since the
 * user's output target is what failed.
 */
function endQuietlyOnClosedStdout(stdout: NodeJS.WriteStream = process.stdout): void {
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(ExitCode.ok);
    process.stderr.write(`error: cannot write the output: ${terminalSafe(e.message, 2000)}\n`);
    process.stderr.write('hint: check the file or pipe that stdout is redirected to (disk full? device gone?)\n');
    process.exit(ExitCode.usage);
  });
}

endQuietlyOnClosedStdout();
const code = await main(process.argv);
process.exitCode = code;
