// Fills a typed table from string rows. The Duck appender writes VARCHARs into a table of the
// default schema only, so rows go through a scratch table and are cast on the way in.
import { sqlIdent, type Duck } from '../db/duck.js';

let scratchCounter = 0;

/**
 * Appends `rows` (one string or null per column, in `columns` order) to `target`
 * ("schema.table", a constant), casting each column to its declared type.
 */
export async function insertStringRows(engine: Duck, target: string, columns: Readonly<Record<string, string>>, rows: readonly (readonly (string | null)[])[]): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns);
  const scratch = `_shadowscan_stage_${process.pid}_${++scratchCounter}`;
  await engine.run(`create table ${sqlIdent(scratch)} (${names.map((c) => `${sqlIdent(c)} VARCHAR`).join(', ')})`);
  try {
    await engine.appendRows(scratch, rows);
    const [schema, table] = target.split('.') as [string, string];
    const select = Object.entries(columns).map(([c, t]) => `cast(${sqlIdent(c)} as ${t})`).join(', ');
    await engine.run(`insert into ${sqlIdent(schema)}.${sqlIdent(table)} (${names.map(sqlIdent).join(', ')}) select ${select} from ${sqlIdent(scratch)}`);
  } finally {
    await engine.run(`drop table if exists ${sqlIdent(scratch)}`);
  }
}
