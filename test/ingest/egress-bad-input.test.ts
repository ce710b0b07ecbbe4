// Hostile files for the new egress formats: lines of another format mixed in, binary bytes
// (NUL, invalid UTF-8), a 1 MB line and a truncated .gz. Good lines land; every bad line is a
// counted reject with a `file:line: reason` example; nothing crashes. Synthetic data.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { zeekHeader, zeekSslLine, zeekUid } from '../../fixtures/zeek/format.js';

interface Result { linesRead: number; rowsWritten: number; rejects: number; rejectExamples: string[]; status: string }

const tmp = tempDir();
afterAll(tmp.cleanup);
const cwd = tmp.dir;
const T0 = Date.UTC(2026, 0, 6, 14);
const SQUID = '1767225600.123    120 10.0.0.1 TCP_MISS/200 1234 GET http://x.example/ - HIER_DIRECT/1.2.3.4 text/html';
const MEGA = 'x'.repeat(1024 * 1024);

/** header + good lines interleaved with: a squid line, a NUL/control line, a 1 MB line, invalid UTF-8. */
function hostileFile(name: string, header: string[], good: (i: number) => string): string {
  const text = [...header, good(0), SQUID, good(1), 'bin\u0000\u0001 garbage', good(2), MEGA, good(3)].join('\n') + '\n';
  const p = join(cwd, name);
  writeFileSync(p, Buffer.concat([Buffer.from(text), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from(`${good(4)}\n`)]));
  return p;
}

/** A .gz of header + `count` good lines, cut at 60 %. */
function truncatedGz(name: string, header: string[], good: (i: number) => string, count: number): string {
  const gz = gzipSync(Buffer.from([...header, ...Array.from({ length: count }, (_, i) => good(i))].join('\n') + '\n'));
  const p = join(cwd, name);
  writeFileSync(p, gz.subarray(0, Math.floor(gz.length * 0.6)));
  return p;
}

async function importBoth(type: string, files: string[]): Promise<{ result: Result; requests: number }> {
  const dataDir = join(cwd, type);
  const r = await runCli(['import', type, ...files, '--json', '--data-dir', dataDir], { cwd });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const q = await runCli(['query', 'select coalesce(sum(requests), 0)::bigint as n from norm.egress', '--json', '--data-dir', dataDir], { cwd });
  expect(q.code, q.stderr).toBe(0);
  return { result: json<{ results: Result[] }>(r).results[0]!, requests: json<{ n: number }[]>(q)[0]!.n };
}

function expectHostileHandled(result: Result, requests: number, gzLinesMin: number, file: string) {
  // mixed file: 5 good lines; rejects: squid line, binary line, 1 MB line, invalid UTF-8 line; + the gzip damage.
  expect(result.rejects).toBe(5);
  expect(requests).toBeGreaterThanOrEqual(5 + gzLinesMin);
  expect(result.status).toBe('ok');
  const ex = result.rejectExamples.join('\n');
  expect(ex).toMatch(new RegExp(`${file}:\\d+: .*x\\.example`));
  expect(ex).toMatch(/line too long \(1048576/);
  expect(ex).toMatch(/binary data/);
  expect(ex).toMatch(/\.gz: damaged or truncated gzip stream/);
}

describe('hostile input, new formats', () => {
  it('zeek TSV', async () => {
    const good = (i: number) => zeekSslLine({ tsMs: T0 + i * 1000, uid: zeekUid(i), origH: '10.0.0.1', origP: 1, respH: '192.0.2.1', respP: 443, serverName: 'api.openai.com' });
    const header = zeekHeader('ssl', T0);
    const { result, requests } = await importBoth('zeek', [hostileFile('mixed-ssl.log', header, good), truncatedGz('ssl.log.gz', header, good, 3000)]);
    expectHostileHandled(result, requests, 1000, 'mixed-ssl\\.log');
    expect(result.rejectExamples.join('\n')).toMatch(/mixed-ssl\.log:10: 1 fields where the #fields header has 18/);
  });

  it('PAN-OS (quoted CSV split)', async () => {
    const good = (i: number) =>
      `<14>Jan  6 14:00:00 fw1 1,2026/01/06 14:00:0${i % 10},0072,THREAT,url,1,2026/01/06 14:00:0${i % 10},10.0.0.1,192.0.2.1,,,Allow Web,acme\\ann,,ssl,vsys1,trust,untrust,e1/1,e1/2,fwd,2026/01/06 14:00:00,${i},1,5000,443,0,0,0x0,tcp,alert,"api.openai.com/v1/x?key=abc,d",(9999),ai,informational,client-to-server`;
    const { result, requests } = await importBoth('paloalto', [hostileFile('mixed-pan.log', [], good), truncatedGz('pan.log.gz', [], good, 3000)]);
    expectHostileHandled(result, requests, 1000, 'mixed-pan\\.log');
  });

  it('Route 53 JSON lines', async () => {
    const good = (i: number) => JSON.stringify({ query_timestamp: new Date(T0 + i * 1000).toISOString(), query_name: 'api.openai.com.', srcaddr: '10.0.0.1', srcids: { instance: 'i-1' } });
    const { result, requests } = await importBoth('route53', [hostileFile('mixed-r53.jsonl', [], good), truncatedGz('r53.jsonl.gz', [], good, 3000)]);
    expectHostileHandled(result, requests, 1000, 'mixed-r53\\.jsonl');
  });
});
