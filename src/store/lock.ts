// One data-dir lock so two writers (a manual and a scheduled scan) never run at once. The lock
// file holds the owner's pid; a lock whose process is gone (kill -9) is taken over at once.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { UserError } from '../errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  started_at: string;
}

export interface DataDirLock {
  release(): void;
}

export function acquireLock(lockPath: string, command: string): DataDirLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      const info: LockInfo = { pid: process.pid, host: hostname(), command, started_at: new Date().toISOString() };
      writeSync(fd, JSON.stringify(info));
      fsyncSync(fd);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const current = JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo;
          if (current.pid === process.pid) unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once('exit', release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(lockPath);
      if (holder && holder.host === hostname() && isAlive(holder.pid)) {
        throw new UserError(
          `another shadowscan command is using this data directory: pid ${holder.pid} (\`${holder.command}\`, started ${holder.started_at})`,
          { hint: 'wait for it to finish; scans never run two at a time on one data directory' },
        );
      }
      if (holder && holder.host !== hostname()) {
        throw new UserError(`the data directory is locked by ${holder.command} on host ${holder.host} (pid ${holder.pid})`, {
          hint: `if that host is gone, delete ${lockPath}`,
        });
      }
      // Stale (its process died) or unreadable: take it over.
      try {
        unlinkSync(lockPath);
      } catch {
        // Someone else removed it first; retry the exclusive create.
      }
    }
  }
  throw new UserError(`could not lock ${lockPath}`, { hint: 'another shadowscan process keeps taking it; try again' });
}

function readHolder(lockPath: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
