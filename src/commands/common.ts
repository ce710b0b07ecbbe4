// Options and helpers shared by command files.
import { Command, Option } from 'commander';
import type { GlobalOptions } from '../context.js';
import type { StreamRunResult } from '../connectors/types.js';
import { renderRows } from '../output/render.js';
import { safeExample } from '../redact.js';

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']);
}

/** Prints what a scan/import did; returns the exit code it implies (3 when a source failed or was partial). */
/** 3 when any source failed or was partial, else 0. */
export function sourcesExitCode(results: StreamRunResult[]): number {
  return results.some((r) => r.status !== 'ok') ? 3 : 0;
}

export function printRunResults(results: StreamRunResult[], json: boolean, extra: Record<string, unknown> = {}, exitCodeOverride?: number): number {
  const exitCode = exitCodeOverride ?? sourcesExitCode(results);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...extra, results, exit_code: exitCode }, null, 2)}\n`);
    return exitCode;
  }
  const rows = results.map((r) => ({
    instance: r.instance,
    stream: r.stream,
    status: r.status,
    files: r.files,
    lines: r.linesRead,
    rows: r.rowsWritten,
    rejects: r.rejects,
  }));
  process.stdout.write(renderRows(rows, ['instance', 'stream', 'status', 'files', 'lines', 'rows', 'rejects'], 'table'));
  for (const r of results) {
    if (r.rejectExamples.length) {
      process.stdout.write(`\n${r.instance}: ${r.rejects} rejected line(s); first examples:\n`);
      for (const ex of r.rejectExamples.slice(0, 5)) process.stdout.write(`  ${safeExample(ex, 240)}\n`);
      if (r.rejectExamples.length > 5) process.stdout.write(`  … see \`shadowscan status --json\` for up to 20\n`);
    }
    if (r.error) process.stdout.write(`\n${r.instance}: ${r.status}: ${safeExample(r.error, 2000)}\n  what to do: ${r.hint ?? 'see the message above'}\n`);
  }
  return exitCode;
}
