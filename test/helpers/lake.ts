// Inspecting a data dir from tests: the Parquet files in the lake and the files commits name
// (they must be the same set after any crash and recovery).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export function lakeFiles(dataDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(join(dataDir, 'lake'), join(d, e.name)));
    }
  };
  walk(join(dataDir, 'lake'));
  return out.sort();
}

export async function committedFiles(dataDir: string): Promise<string[]> {
  const db = await DuckDBInstance.create(join(dataDir, 'state.duckdb'), { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  const rows = (await conn.runAndReadAll('select files from commits')).getRowObjectsJS();
  conn.closeSync();
  db.closeSync();
  return rows.flatMap((r) => JSON.parse(String(r.files)) as string[]).sort();
}
