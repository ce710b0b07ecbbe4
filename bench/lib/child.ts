// Runs one benchmark child process and measures it: wall time (spawn → exit, so start-up is
// included) and peak RSS of the child process itself.
//
// Peak RSS comes from the preload `rss-reporter.mjs` (process.resourceUsage().maxRSS written at
// exit) when the child is a Node process started through `nodeChild`. As a fallback — child
// killed, crashed before `exit`, or not Node — the parent polls /proc/<pid>/status VmHWM (the
// kernel's own high-water mark) every 100 ms on Linux. Grandchildren are not counted.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RSS_REPORTER = fileURLToPath(new URL('./rss-reporter.mjs', import.meta.url));
export const RSS_ENV = 'SHADOWSCAN_BENCH_RSS_FILE';

export interface ChildSpec {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL, by its pid) after this long. Default: no limit. */
  timeoutMs?: number;
  /** Keep at most this many bytes of stdout / stderr (the tail). Default 4 MiB / 64 KiB. */
  maxStdout?: number;
  maxStderr?: number;
  /** Called once the child has a pid (e.g. to sample its /proc entries while it runs). */
  onSpawn?: (pid: number) => void;
}

export interface ChildResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  wallMs: number;
  /** Peak RSS in KiB, or null if it could not be measured. */
  peakRssKiB: number | null;
  rssSource: 'preload' | 'proc' | null;
  stdout: string;
  stderr: string;
  /** CPU time (user+system, ms) of the child itself, from the preload; null without it. */
  cpuMs: number | null;
  /**
   * Average number of cores busy with OTHER work during the run (Linux /proc/stat busy time
   * minus the child's own CPU time, divided by wall time). Near 0 on an idle machine; null
   * when it cannot be measured.
   */
  otherCores: number | null;
  /** Error spawning the process at all (ENOENT, …). */
  spawnError?: string;
}

/** `node --import rss-reporter.mjs <script> <args>` — the usual way to run a bench child. */
export function nodeChild(script: string, args: string[], opts: Omit<ChildSpec, 'command' | 'args'> = {}): ChildSpec {
  return { ...opts, command: process.execPath, args: ['--import', RSS_REPORTER, script, ...args] };
}

function readVmHwmKiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Busy CPU time of the whole machine so far, in ms (Linux), or null. */
export function machineBusyMs(): number | null {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = first.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …
    const busy = v[0]! + v[1]! + v[2]! + v[5]! + v[6]! + (v[7] ?? 0);
    return (busy * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.max && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

export function runChild(spec: ChildSpec): Promise<ChildResult> {
  const rssDir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  const rssFile = join(rssDir, 'rss.json');
  const out = new Tail(spec.maxStdout ?? 4 << 20);
  const err = new Tail(spec.maxStderr ?? 64 << 10);
  return new Promise((resolvePromise) => {
    const busy0 = machineBusyMs();
    const t0 = performance.now();
    let polledKiB: number | null = null;
    let timedOut = false;
    let spawnError: string | undefined;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...(spec.env ?? process.env), [RSS_ENV]: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) spec.onSpawn?.(child.pid);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      const v = readVmHwmKiB(child.pid);
      if (v !== null) polledKiB = Math.max(polledKiB ?? 0, v);
    }, 100);
    const timer =
      spec.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
          }, spec.timeoutMs)
        : undefined;
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      const busy1 = machineBusyMs();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      let peak: number | null = null;
      let source: ChildResult['rssSource'] = null;
      let cpuMs: number | null = null;
      try {
        const rep = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRssKiB?: number; cpuUs?: number };
        if (typeof rep.maxRssKiB === 'number') {
          peak = rep.maxRssKiB;
          source = 'preload';
        }
        if (typeof rep.cpuUs === 'number') cpuMs = rep.cpuUs / 1000;
      } catch {
        // no report: killed, crashed, or not a Node child
      }
      if (peak === null && polledKiB !== null) {
        peak = polledKiB;
        source = 'proc';
      }
      rmSync(rssDir, { recursive: true, force: true });
      resolvePromise({
        exitCode: code,
        signal,
        timedOut,
        wallMs,
        peakRssKiB: peak,
        rssSource: source,
        cpuMs,
        otherCores:
          busy0 !== null && busy1 !== null && cpuMs !== null && wallMs > 0
            ? Math.max(0, Math.round(((busy1 - busy0 - cpuMs) / wallMs) * 100) / 100)
            : null,
        stdout: out.toString(),
        stderr: err.toString(),
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    });
  });
}

/** The last `n` non-empty lines of a text (for error rows). */
export function tailLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .slice(-n);
}

/**
 * The JSON a child printed on stdout: the whole output if it parses, else the last line (or
 * last `{…}` block) that does. Undefined if there is none.
 */
export function parseJsonOutput(stdout: string): unknown {
  const s = stdout.trim();
  if (!s) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    // fall through
  }
  const lines = s.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!l.startsWith('{') && !l.startsWith('[')) continue;
    try {
      return JSON.parse(l);
    } catch {
      // a pretty-printed block: try from this line to the end
      try {
        return JSON.parse(lines.slice(i).join('\n'));
      } catch {
        // keep looking
      }
    }
  }
  return undefined;
}

/**
 * The environment for a shadowscan child: this process's, without proxy settings or SHADOWSCAN_*
 * (nor variables starting with one of `dropPrefixes`), at log level warn, plus `extra`.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv, dropPrefixes: readonly string[] = []): NodeJS.ProcessEnv {
  const drop = ['https_proxy', 'http_proxy', 'no_proxy', 'all_proxy', 'SHADOWSCAN_', ...dropPrefixes].map((p) => p.toLowerCase());
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!drop.some((p) => k.toLowerCase().startsWith(p))) env[k] = v;
  return { ...env, SHADOWSCAN_LOG_LEVEL: 'warn', ...extra };
}
