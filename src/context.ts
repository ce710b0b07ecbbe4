// What a command needs to run, assembled once: config, data paths, clock, engine settings.
// Writers take the data-dir lock and run start-up recovery before touching anything.
import { join } from 'node:path';
import { processClock, type Clock } from './clock.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { openEngine, prepareAttach, type Duck } from './db/duck.js';
import { terminalProgress, silentProgress, type Progress } from './output/progress.js';
import { acquireLock, type DataDirLock } from './store/lock.js';
import { dataPaths, ensureDataDir, type DataPaths } from './store/paths.js';
import { recover, type RecoveryReport } from './store/recover.js';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  json?: boolean;
}

export interface Context {
  loaded: LoadedConfig;
  paths: DataPaths;
  clock: Clock;
  progress: Progress;
  json: boolean;
}

export function createContext(opts: GlobalOptions): Context {
  const loaded = loadConfig({ file: opts.config, dataDir: opts.dataDir });
  const json = opts.json ?? false;
  return {
    loaded,
    paths: dataPaths(loaded.dataDir),
    clock: processClock(),
    progress: json ? silentProgress : terminalProgress(),
    json,
  };
}

export async function openWriter(ctx: Context, command: string): Promise<{ lock: DataDirLock; recovery: RecoveryReport }> {
  ensureDataDir(ctx.paths);
  prepareAttach();
  const lock = acquireLock(ctx.paths.lock, command);
  try {
    return { lock, recovery: await recover(ctx.paths, ctx.clock) };
  } catch (e) {
    lock.release();
    throw e;
  }
}

export async function openContextEngine(ctx: Context): Promise<Duck> {
  const d = ctx.loaded.config.duckdb;
  ensureDataDir(ctx.paths);
  return openEngine({ memoryLimit: d.memory_limit, threads: d.threads, tempDirectory: d.temp_directory ?? join(ctx.paths.tmp) });
}

export function windowStart(ctx: Context): Date {
  return new Date(ctx.clock.now() - ctx.loaded.config.rules.window_days * 86_400_000);
}
