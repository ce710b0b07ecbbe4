// Progress for long work: a single self-overwriting status line on a TTY (stderr), nothing when
// piped or in --json mode. Output passes through safeExample, so file names can't inject escapes.
import { safeExample } from '../redact.js';

export interface Progress {
  update(text: string): void;
  /** Prints a permanent line (TTY only) and clears the status line. */
  note(text: string): void;
  done(): void;
}

export const silentProgress: Progress = { update() {}, note() {}, done() {} };

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;
  let last = 0;
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = Math.max(20, (stream.columns ?? 100) - 1);
      stream.write(`\r\x1b[2K${safeExample(text, width)}`);
      shown = true;
    },
    note(text) {
      clear();
      stream.write(`${safeExample(text, 2000)}\n`);
    },
    done: clear,
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * 1234567 → "1,234,567". Not toLocaleString: the first call loads ICU's locale data (about
 * 15–25 ms), which every import would pay for one progress line.
 */
export function formatCount(n: number): string {
  const s = String(Math.trunc(n));
  return s.replace(/\B(?=(\d{3})+$)/g, ',');
}
