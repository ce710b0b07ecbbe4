// Runs a DuckDB-only reference (bench/reference-*.ts) the same way for every log format: a fresh
// in-memory DuckDB with shadowscan's default budget (512 MB, 2 threads, spilling to
// OUTDIR/duckdb-tmp), its statements in order, and the last one's first row as the totals.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** The engine budget both the references and shadowscan's default config use. */
export const REFERENCE_SETTINGS = { memory_limit: '512MB', threads: '2' } as const;

/** Runs `statements` (the last returns one row of totals); returns that row and the elapsed ms. */
export async function runReferenceStatements(outDir: string, statements: string[]): Promise<{ row: Record<string, unknown>; ms: number }> {
  const tmp = join(outDir, 'duckdb-tmp');
  mkdirSync(tmp, { recursive: true });
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { ...REFERENCE_SETTINGS, temp_directory: tmp, preserve_insertion_order: 'false' });
  const conn = await instance.connect();
  try {
    for (const sql of statements.slice(0, -1)) await conn.run(sql);
    const row = (await conn.runAndReadAll(statements.at(-1)!)).getRowObjectsJson()[0] ?? {};
    return { row, ms: Math.round(performance.now() - t0) };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
