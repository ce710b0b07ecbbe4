// State sessions (src/store/state.ts): the state file is attached to one in-memory DuckDB per
// process and detached after each session, so other processes get in between sessions; sessions
// of one process run one at a time; a session without a checkpoint leaves its writes in the WAL,
// where every other opener still sees them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { withState } from '../../src/store/state.js';
import { dataPaths, ensureDataDir } from '../../src/store/paths.js';
import { REPO, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

let n = 0;
function freshPaths() {
  const paths = dataPaths(`${tmp.dir}/data-${++n}`);
  ensureDataDir(paths);
  return paths;
}

/** Runs `code` (an ES module body with `db`, an open DuckDB connection to `file`) in another process. */
function otherProcess(file: string, code: string, opts: { readOnly?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const instance = await DuckDBInstance.create(${JSON.stringify(file)}, ${opts.readOnly ? "{ access_mode: 'READ_ONLY' }" : '{}'});
    const db = await instance.connect();
    ${code}
    db.closeSync(); instance.closeSync();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const countSyncs = `const r = await db.runAndReadAll("select count(*)::int as n from syncs where instance = 'x'"); process.stdout.write(String(r.getRowObjectsJS()[0].n));`;
const insertSync = (id: string) =>
  `insert into syncs (sync_id, instance, stream, connector, mode, origin, status, started_at) values ('${id}', 'x', 's', 'squid', 'events', 'import', 'running', now()::timestamp)`;

describe('state sessions', () => {
  it('release the file after each session: another process opens it read-write right after', async () => {
    const paths = freshPaths();
    await withState(paths, (db) => db.run(insertSync('a')));
    const other = await otherProcess(paths.state, countSyncs);
    expect(other.stderr).toBe('');
    expect(other.stdout).toBe('1');
  });

  it('wait while another process holds the file, then get in', async () => {
    const paths = freshPaths();
    await withState(paths, async () => undefined); // creates the schema
    const holder = spawn(
      process.execPath,
      ['--input-type=module', '-e', `
        import { DuckDBInstance } from '@duckdb/node-api';
        const i = await DuckDBInstance.create(${JSON.stringify(paths.state)}); const c = await i.connect();
        process.stdout.write('held\\n');
        setTimeout(async () => { await c.run(${JSON.stringify(insertSync('held'))}); c.closeSync(); i.closeSync(); }, 700);`],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((r) => holder.stdout.once('data', r));
    // The holder's row is there when the session gets in: it waited for the lock.
    const seen = await withState(paths, async (db) => (await db.one<{ n: number }>("select count(*)::int as n from syncs where sync_id = 'held'"))!.n);
    expect(seen).toBe(1);
  });

  it('of one process run one at a time, in call order', async () => {
    const paths = freshPaths();
    const events: string[] = [];
    const session = (name: string) =>
      withState(paths, async (db) => {
        events.push(`${name}+`);
        await db.run(insertSync(name));
        await new Promise((r) => setTimeout(r, 20));
        events.push(`${name}-`);
      });
    await Promise.all([session('a'), session('b'), session('c')]);
    expect(events).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('refuse a session inside a session (it would wait for itself)', async () => {
    const paths = freshPaths();
    await expect(withState(paths, () => withState(paths, async () => 1))).rejects.toThrow(/inside a state session/);
    // The outer session was released: the next one works.
    expect(await withState(paths, async () => 2)).toBe(2);
  });

  it('release the file even when the work fails inside an open transaction', async () => {
    const paths = freshPaths();
    await expect(
      withState(paths, async (db) => {
        await db.run('begin transaction');
        await db.run(insertSync('lost'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const other = await otherProcess(paths.state, countSyncs);
    expect(other.stderr).toBe('');
    expect(other.stdout).toBe('0'); // rolled back, and the file is free
    expect(await withState(paths, async (db) => (await db.one<{ n: number }>('select count(*)::int as n from syncs'))!.n)).toBe(0);
  });

  it('without a checkpoint leave the writes in the WAL, visible to read-only and read-write openers; the next session folds them in', async () => {
    const paths = freshPaths();
    await withState(paths, async () => undefined);
    await withState(paths, (db) => db.run(insertSync('w')), { checkpoint: false });
    expect(existsSync(`${paths.state}.wal`)).toBe(true);
    const ro = await otherProcess(paths.state, countSyncs, { readOnly: true });
    expect(ro.stderr).toBe('');
    expect(ro.stdout).toBe('1');
    expect(await withState(paths, async (db) => (await db.one<{ n: number }>("select count(*)::int as n from syncs where sync_id = 'w'"))!.n)).toBe(1);
    expect(existsSync(`${paths.state}.wal`)).toBe(false);
  });
});
