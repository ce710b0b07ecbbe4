// Preload for benchmark children: `node --import <this file> script.js …`.
// At process exit it writes {"maxRssKiB": N, "cpuUs": C, "pid": P} to the file named by
// SHADOWSCAN_BENCH_RSS_FILE, where N is process.resourceUsage().maxRSS (peak resident set size
// of this process, KiB on Linux) and C its user+system CPU time in µs. The variable is removed from process.env straight away so
// the child's own children do not inherit it and overwrite the file.
import { writeFileSync } from 'node:fs';

const out = process.env.SHADOWSCAN_BENCH_RSS_FILE;
if (out) {
  delete process.env.SHADOWSCAN_BENCH_RSS_FILE;
  process.on('exit', () => {
    try {
      const u = process.resourceUsage();
      writeFileSync(
        out,
        JSON.stringify({ maxRssKiB: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime, pid: process.pid }),
      );
    } catch {
      // nothing sensible to do while exiting
    }
  });
}
