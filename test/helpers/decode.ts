// Decoding check for the secrets tests: every file under a data dir (or workspace) as text —
// Parquet rows and DuckDB tables cast to VARCHAR, .gz inflated, everything else as latin1 bytes —
// so a test can assert that a secret appears nowhere, in whatever encoding it was written.
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/**
 * Everything written under `root`, decoded to text, per file. `except` skips files the test put
 * there itself (e.g. the user's own key file, which shadowscan only reads).
 */
export async function decodeAll(root: string, except: (file: string) => boolean = () => false): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const mem = await DuckDBInstance.create(':memory:');
  const conn = await mem.connect();
  for (const file of walk(root)) {
    if (except(file)) continue;
    if (file.endsWith('.parquet')) {
      const rows = (await conn.runAndReadAll(`select t::varchar as v from read_parquet('${file.replace(/'/g, "''")}') t`)).getRowObjectsJS();
      out.set(file, rows.map((r) => String(r.v)).join('\n'));
    } else if (file.endsWith('.duckdb')) {
      const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
      const c = await db.connect();
      const tables = (await c.runAndReadAll('select schema_name, table_name from duckdb_tables() where not internal')).getRowObjectsJS();
      const parts: string[] = [];
      for (const t of tables) {
        const rows = (await c.runAndReadAll(`select t::varchar as v from "${String(t.schema_name)}"."${String(t.table_name)}" t`)).getRowObjectsJS();
        parts.push(`# ${String(t.table_name)}\n${rows.map((r) => String(r.v)).join('\n')}`);
      }
      c.closeSync();
      db.closeSync();
      out.set(file, parts.join('\n'));
    } else {
      const bytes = readFileSync(file);
      out.set(file, (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('latin1'));
    }
  }
  conn.closeSync();
  mem.closeSync();
  return out;
}
