// Named crash points for crash-safety tests: with SHADOWSCAN_CRASH_AT=<name>[:<nth>] the process
// records the point in SHADOWSCAN_CRASH_MARKER (if set) and SIGKILLs itself the nth time it gets
// there. In normal runs this is one env lookup.
import { appendFileSync } from 'node:fs';

const counts = new Map<string, number>();

export function crashPoint(name: string): void {
  const spec = process.env.SHADOWSCAN_CRASH_AT;
  if (!spec) return;
  const [point, nth] = spec.split(':');
  if (point !== name) return;
  const seen = (counts.get(name) ?? 0) + 1;
  counts.set(name, seen);
  if (seen < Number(nth ?? 1)) return;
  const marker = process.env.SHADOWSCAN_CRASH_MARKER;
  if (marker) appendFileSync(marker, `${name}\n`);
  process.kill(process.pid, 'SIGKILL');
}
