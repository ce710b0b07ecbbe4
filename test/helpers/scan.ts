// `shadowscan scan --json` and `query --json` for the live-connector tests (Okta, Entra, Google):
// the per-stream run results, and query rows, from a workspace.
import { json, runCli, type CliResult } from './cli.js';

export interface StreamResult {
  instance: string;
  stream: string;
  syncId: string;
  status: 'ok' | 'partial' | 'failed';
  rowsWritten: number;
  requests: number;
  retries: number;
  waits: number;
  waitMs: number;
  throttled?: number;
  error?: string;
  hint?: string;
}

export async function scan(dir: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<CliResult & { results: StreamResult[] }> {
  const r = await runCli(['scan', '--json', ...args], { cwd: dir, env });
  let results: StreamResult[] = [];
  try {
    results = (JSON.parse(r.stdout) as { results: StreamResult[] }).results;
  } catch {
    // Left empty: callers assert on the exit code and stderr.
  }
  return { ...r, results };
}

export async function query<T = Record<string, unknown>>(dir: string, sql: string, env: NodeJS.ProcessEnv = {}): Promise<T[]> {
  const r = await runCli(['query', sql, '--json'], { cwd: dir, env });
  if (r.code !== 0) throw new Error(`query failed (exit ${r.code}): ${r.stderr}\n${sql}`);
  return json<T[]>(r);
}

export function byStream(results: StreamResult[]): Record<string, StreamResult> {
  return Object.fromEntries(results.map((r) => [r.stream, r]));
}
