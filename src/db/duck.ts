// The only module that imports @duckdb/node-api. Two kinds of database:
//  - an in-memory engine for scans, rules and queries (memory_limit/threads/temp_directory set
//    explicitly: DuckDB's default limit is 80 % of RAM);
//  - the state DB file, attached briefly to a small in-memory instance and retried on DuckDB's
//    per-process file lock (DESIGN.md "Storage" item 6).
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { ExternalError } from '../errors.js';
import { systemClock, type Clock } from '../clock.js';

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

/** Values per JSON array in Duck.strings and Duck.tempTableFromStrings (bounds each JSON value). */
export const STRING_BATCH = 65_536;

export interface EngineSettings {
  memoryLimit: string;
  threads: number;
  tempDirectory: string;
}

export class Duck {
  /** False for a fork: closing it closes only its connection. */
  private ownsInstance = true;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  /**
   * Another connection to the same database, for work that runs concurrently (e.g. parallel file
   * imports): it shares the database, its memory limit and its thread pool.
   */
  async fork(): Promise<Duck> {
    const d = new Duck(this.instance, await this.instance.connect());
    d.ownsInstance = false;
    return d;
  }

  /** A connection to an instance someone else owns (closing it leaves the instance open). */
  static attached(instance: DuckDBInstance, conn: DuckDBConnection): Duck {
    const d = new Duck(instance, conn);
    d.ownsInstance = false;
    return d;
  }

  static async open(path: string, options: Record<string, string>): Promise<Duck> {
    const instance = await DuckDBInstance.create(path, options);
    return new Duck(instance, await instance.connect());
  }

  async run(sql: string, params?: Params): Promise<void> {
    await this.conn.run(sql, params);
  }

  /** Rows as plain JS values; BIGINTs that fit become numbers. */
  async all<T extends object = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map((r) => normalizeRow(r) as T);
  }

  async one<T extends object = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /** Column names and DuckDB type names of a result, for printing. */
  async allWithColumns(sql: string, params?: Params): Promise<{ columns: string[]; types: string[]; rows: Row[] }> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => t.toString()),
      rows: reader.getRowObjectsJS().map(normalizeRow),
    };
  }

  /**
   * The first column of `sql` as JS strings, fetched as JSON arrays of up to STRING_BATCH values
   * each: converting result rows one by one costs about 5 µs a string, which at 20,000 distinct
   * hosts is ~100 ms; JSON is about a quarter of that. NULLs stay null; any text (NUL, quotes)
   * round-trips. Order is the query's when it has one.
   */
  async strings(sql: string): Promise<(string | null)[]> {
    const rows = await this.all<{ j: string }>(
      `select to_json(list(v order by rn))::varchar as j
         from (select v, row_number() over () - 1 as rn from (select * from (${sql}) t(v)))
        group by rn // ${STRING_BATCH} order by rn // ${STRING_BATCH}`,
    );
    return rows.flatMap((r) => JSON.parse(r.j) as (string | null)[]);
  }

  /**
   * Creates temp table `name` with one VARCHAR column per entry of `columns` (arrays of equal
   * length, row i from element i of each), sent as JSON parameters in batches of STRING_BATCH
   * rows: the same round trip as strings() in the other direction, cheaper than an appender
   * call per value.
   */
  async tempTableFromStrings(name: string, columns: Readonly<Record<string, readonly (string | null)[]>>): Promise<void> {
    const names = Object.keys(columns);
    const length = columns[names[0]!]?.length ?? 0;
    const select = names.map((c, i) => `unnest(from_json($${i + 1}, '["VARCHAR"]')) as ${sqlIdent(c)}`).join(', ');
    const batch = (from: number) => names.map((c) => JSON.stringify(columns[c]!.slice(from, from + STRING_BATCH)));
    await this.run(`create temp table ${sqlIdent(name)} as select ${select}`, batch(0));
    for (let from = STRING_BATCH; from < length; from += STRING_BATCH) await this.run(`insert into ${sqlIdent(name)} select ${select}`, batch(from));
  }

  async appendRows(table: string, rows: readonly (readonly (string | null)[])[]): Promise<void> {
    const appender = await this.conn.createAppender(table);
    for (const row of rows) {
      for (const v of row) {
        if (v === null) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
    }
    appender.closeSync();
  }

  /**
   * Runs user SQL that must only read: every statement is prepared first and refused unless it
   * is a SELECT (so COPY … TO, ATTACH, INSTALL/LOAD, SET, CREATE never run).
   */
  async readOnlyQuery(sql: string): Promise<{ columns: string[]; rows: Row[] }> {
    const extracted = await this.conn.extractStatements(sql);
    if (extracted.count === 0) throw new ReadOnlyViolation('the query is empty');
    const prepared = [];
    for (let i = 0; i < extracted.count; i++) {
      let p;
      try {
        p = await extracted.prepare(i);
      } catch (e) {
        // Binding a COPY/ATTACH/INSTALL against the locked-down engine fails before its type is known.
        if (/Permission Error|disabled by configuration|configuration has been locked/i.test(String(e))) {
          throw new ReadOnlyViolation(`statement ${i + 1} needs file, network or settings access, which query does not allow (${String(e).replace(/^Error: /, '').split('\n')[0]})`);
        }
        throw e;
      }
      const type = Number(p.statementType);
      // Only SELECT: EXPLAIN ANALYZE would execute the statement it explains (e.g. a COPY).
      if (type !== STATEMENT_SELECT) {
        throw new ReadOnlyViolation(`statement ${i + 1} is a ${STATEMENT_NAMES[type] ?? `type-${type}`} statement; only SELECT queries are allowed`);
      }
      prepared.push(p);
    }
    let last: { columns: string[]; rows: Row[] } = { columns: [], rows: [] };
    for (const p of prepared) {
      const reader = await p.runAndReadAll();
      last = { columns: reader.columnNames(), rows: reader.getRowObjectsJS().map(normalizeRow) };
    }
    return last;
  }

  close(): void {
    this.conn.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

export async function openEngine(settings: EngineSettings): Promise<Duck> {
  return Duck.open(':memory:', {
    memory_limit: settings.memoryLimit,
    threads: String(settings.threads),
    temp_directory: settings.tempDirectory,
    // Scans never need extensions from the network; keep the engine closed.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
}

export class ReadOnlyViolation extends Error {}

const STATEMENT_SELECT = 1;
const STATEMENT_NAMES: Record<number, string> = {
  2: 'INSERT', 3: 'UPDATE', 4: 'EXPLAIN', 5: 'DELETE', 6: 'PREPARE', 7: 'CREATE', 8: 'EXECUTE', 9: 'ALTER', 10: 'TRANSACTION', 11: 'COPY',
  12: 'ANALYZE', 13: 'SET VARIABLE', 14: 'CREATE FUNCTION', 15: 'DROP', 16: 'EXPORT', 17: 'PRAGMA', 18: 'VACUUM', 19: 'CALL',
  20: 'SET', 21: 'INSTALL/LOAD', 23: 'EXTENSION', 25: 'ATTACH', 26: 'DETACH', 28: 'COPY DATABASE', 29: 'UPDATE EXTENSIONS',
};

const LOCK_PATTERN = /Could not set lock on file|Conflicting lock|lock on file/i;

/** The in-memory instance database files are ATTACHed to (attachFileWithRetry); one per process. */
let attachHost: Promise<DuckDBInstance> | undefined;
const ATTACH_ALIAS = 'shadowscan_file';

/**
 * Starts building the attach instance in the background (DuckDB builds it off the main thread),
 * so the first state session does not wait for it; a command that will write calls this early.
 */
export function prepareAttach(): void {
  attachHost ??= createAttachHost();
  attachHost.catch(() => {
    attachHost = undefined; // reported by the first session that needs it
  });
}

function createAttachHost(): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: '256MB',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
}

/**
 * A short session on a database file (the state DB): the file is ATTACHed to a process-wide
 * in-memory instance and DETACHed again by `release`, which checkpoints it and drops DuckDB's
 * file lock so other processes get in. Creating a DuckDB instance builds its whole catalog of
 * functions (15–30 ms); attaching a file to one built once costs about 2 ms, and a scan or an
 * import opens its state several times. Retries while another process holds the lock. One
 * session at a time per process (src/store/state.ts queues them). `release({ checkpoint: false })`
 * leaves the session's writes in the (fsynced) WAL for a later session to checkpoint; any
 * DuckDB that opens the file, read-only or not, replays the WAL first.
 */
export async function attachFileWithRetry(
  path: string,
  { readOnly = false, tempDirectory }: { readOnly?: boolean; tempDirectory?: string } = {},
  { timeoutMs = 15_000, clock = systemClock }: { timeoutMs?: number; clock?: Clock } = {},
): Promise<{ db: Duck; release: (opts?: { checkpoint?: boolean }) => Promise<void> }> {
  const host = (attachHost ??= createAttachHost());
  const instance = await host.catch((e: unknown) => {
    attachHost = undefined;
    throw e;
  });
  const conn = await instance.connect();
  const db = Duck.attached(instance, conn);
  try {
    if (tempDirectory) await conn.run(`set temp_directory = ${sqlString(tempDirectory)}`);
    const deadline = Date.now() + timeoutMs;
    let delay = 25;
    for (;;) {
      try {
        await conn.run(`attach ${sqlString(path)} as ${ATTACH_ALIAS}${readOnly ? ' (read_only)' : ''}`);
        break;
      } catch (e) {
        if (!LOCK_PATTERN.test(String(e)) || Date.now() > deadline) {
          if (LOCK_PATTERN.test(String(e))) {
            throw new ExternalError('state', `the state database ${path} stayed locked by another process for ${timeoutMs / 1000}s`, {
              retryable: true,
              hint: 'another shadowscan command is holding it; wait for it to finish and try again',
              cause: e,
            });
          }
          throw e;
        }
        await clock.sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, 500);
      }
    }
    await conn.run(`use ${ATTACH_ALIAS}`);
  } catch (e) {
    conn.closeSync();
    throw e;
  }
  const release = async ({ checkpoint = true } = {}) => {
    try {
      await conn.run('use memory');
      // Detaching checkpoints (writes the WAL into the file, ~15 ms with its fsync) unless told
      // not to: the WAL is already durable, and the next session that checkpoints folds it in.
      await conn.run(`pragma ${checkpoint ? 'enable' : 'disable'}_checkpoint_on_shutdown`);
      await conn.run(`detach ${ATTACH_ALIAS}`);
      conn.closeSync();
    } catch {
      // Still attached (e.g. a transaction left open): closing the whole instance releases the
      // file for certain; the next session builds a new one.
      conn.closeSync();
      if (attachHost === host) attachHost = undefined;
      instance.closeSync();
    }
  };
  return { db, release };
}

function normalizeRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = normalizeValue(v);
  return out;
}

function normalizeValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(normalizeValue);
  return v;
}

/** Quotes a SQL string literal (for paths and identifiers validated elsewhere; never raw user SQL). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Quotes an identifier after checking it against a strict pattern. */
export function sqlIdent(s: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new Error(`not a safe SQL identifier: ${JSON.stringify(s)}`);
  return `"${s}"`;
}
