import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type GenerateOptions,
  type GroundTruth,
  MALFORMED_KINDS,
  SECRET_MARKER,
  SQUID_NATIVE_LINE_RE,
  generateSquidLog,
  mulberry32,
  parseCount,
  writeSquidLog,
} from '../../fixtures/squid/generate.js';
import { runReference } from '../../bench/reference-squid.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'gen-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function generateToBuffer(opts: GenerateOptions): { buf: Buffer; truth: GroundTruth; chunks: number } {
  const parts: Buffer[] = [];
  const truth = generateSquidLog(opts, (c) => parts.push(Buffer.from(c)));
  return { buf: Buffer.concat(parts), truth, chunks: parts.length };
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function splitLines(buf: Buffer): string[] {
  const text = buf.toString('latin1');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** Independent re-derivation of the truth from the file's bytes. */
function recount(lines: string[]) {
  let good = 0;
  let bad = 0;
  let bytes = 0;
  let secrets = 0;
  let anon = 0;
  let oversized = 0;
  let withNul = 0;
  const perUser = new Map<string, number>();
  let groups = 0;
  let hour = -1;
  let hourKeys = new Set<string>();
  for (const line of lines) {
    if (line.length > 500_000) oversized++;
    if (line.includes('\0')) withNul++;
    if (!SQUID_NATIVE_LINE_RE.test(line)) {
      bad++;
      continue;
    }
    good++;
    const f = line.split(' ');
    const at = (i: number) => f[f.length + i]!; // from the end, like the reference
    bytes += Number(at(-6));
    const user = at(-3);
    if (user === '-') anon++;
    else perUser.set(user, (perUser.get(user) ?? 0) + 1);
    const url = at(-4);
    if (url.includes(SECRET_MARKER)) secrets++;
    const rest = url.includes('://') ? url.slice(url.indexOf('://') + 3) : url;
    const host = rest.split('/')[0]!.split('?')[0]!.split(':')[0]!;
    const h = Math.floor(Number(f[0]!.replace('.', '')) / 3_600_000);
    if (h !== hour) {
      groups += hourKeys.size;
      hourKeys = new Set();
      hour = h;
    }
    hourKeys.add([user, at(-8), host, at(-5), at(-7).slice(-3, -2)].join('\t'));
  }
  groups += hourKeys.size;
  return { good, bad, bytes, secrets, anon, oversized, withNul, perUser, groups };
}

describe('fixtures/squid/generate', () => {
  it('mulberry32 is deterministic and in [0,1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    expect(mulberry32(1)()).not.toBe(mulberry32(2)());
  });

  it('parses counts', () => {
    expect(parseCount('1M')).toBe(1_000_000);
    expect(parseCount('20k')).toBe(20_000);
    expect(parseCount('5_000')).toBe(5000);
    expect(() => parseCount('lots')).toThrow();
  });

  it('is deterministic: same seed → same bytes and truth; chunking does not matter', () => {
    const opts = { lines: 20_000, seed: 7 };
    const a = generateToBuffer(opts);
    const b = generateToBuffer({ ...opts, chunkBytes: 64 << 10 });
    expect(b.chunks).toBeGreaterThan(a.chunks);
    expect(sha(a.buf)).toBe(sha(b.buf));
    expect(a.truth).toEqual(b.truth);
    const c = generateToBuffer({ ...opts, seed: 8 });
    expect(sha(c.buf)).not.toBe(sha(a.buf));
  });

  it('reports counts that match the file, malformed lines included', () => {
    // A high malformed rate so every kind occurs in a small file.
    const { buf, truth } = generateToBuffer({ lines: 30_000, seed: 3, malformedRate: 0.02 });
    const lines = splitLines(buf);
    expect(lines.length).toBe(30_000);
    expect(truth.lines).toBe(30_000);
    expect(truth.fileBytes).toBe(buf.length);
    expect(truth.goodLines + truth.malformedLines).toBe(truth.lines);
    expect(MALFORMED_KINDS.reduce((s, k) => s + truth.malformedByKind[k], 0)).toBe(truth.malformedLines);
    for (const k of MALFORMED_KINDS) expect(truth.malformedByKind[k], k).toBeGreaterThan(0);

    const r = recount(lines);
    expect(r.bad).toBe(truth.malformedLines);
    expect(r.good).toBe(truth.goodLines);
    expect(r.bytes).toBe(truth.bytesGood);
    expect(r.secrets).toBe(truth.secretLines);
    expect(r.anon).toBe(truth.anonymousLines);
    expect(r.groups).toBe(truth.groups);
    expect(r.oversized).toBe(truth.malformedByKind.oversized);
    expect(r.withNul).toBeGreaterThan(0);
    expect(Object.fromEntries(r.perUser)).toEqual(truth.requestsByUser);
    expect(Object.values(truth.methods).reduce((s, n) => s + n, 0)).toBe(truth.goodLines);
    expect(Object.values(truth.statusClasses).reduce((s, n) => s + n, 0)).toBe(truth.goodLines);
  });

  it('default mix: ~0.1 % malformed, Zipf-like users and hosts, increasing timestamps, secrets', () => {
    const { buf, truth } = generateToBuffer({ lines: 100_000, seed: 1 });
    expect(truth.malformedLines / truth.lines).toBeGreaterThan(0.0006);
    expect(truth.malformedLines / truth.lines).toBeLessThan(0.0015);
    expect(truth.malformedByKind.oversized).toBe(3);
    expect(truth.distinctUsers).toBeGreaterThan(1500);
    expect(truth.distinctHosts).toBeGreaterThan(4000);
    const counts = Object.values(truth.requestsByUser).sort((a, b) => b - a);
    expect(counts[0]!).toBeGreaterThan(20 * counts[Math.floor(counts.length / 2)]!); // heavy head
    expect(truth.secretLines).toBeGreaterThan(0);
    expect(truth.methods['CONNECT']).toBeGreaterThan(truth.goodLines / 3);
    expect(Date.parse(truth.lastTs!) - Date.parse(truth.firstTs!)).toBeGreaterThan(2 * 86_400_000);

    let prev = 0;
    let padded = 0;
    let decreasing = 0;
    let badConnect = 0;
    for (const line of splitLines(buf)) {
      if (!SQUID_NATIVE_LINE_RE.test(line)) continue;
      const ts = Number(line.slice(0, line.indexOf(' ')));
      if (ts < prev) decreasing++;
      prev = ts;
      if (line.includes('  ')) padded++;
      if (line.includes(' CONNECT ') && !/ CONNECT [a-z0-9.-]+:\d+ /.test(line)) badConnect++;
    }
    expect(decreasing).toBe(0);
    expect(badConnect).toBe(0);
    expect(padded).toBeGreaterThan(truth.goodLines / 2); // elapsed is %6tr-padded
  });

  it('streams to a file and the CLI prints the same truth', () => {
    const out = join(work, 'cli.log');
    const stdout = execFileSync(
      process.execPath,
      [join(repoRoot, 'bin/run-ts.js'), join(repoRoot, 'fixtures/squid/generate.ts'), '--lines', '5k', '--seed', '9', '--out', out],
      { encoding: 'utf8' },
    );
    const cliTruth = JSON.parse(stdout) as GroundTruth;
    const file = join(work, 'api.log');
    const truth = writeSquidLog(file, { lines: 5000, seed: 9 });
    expect(cliTruth).toEqual(truth);
    expect(statSync(file).size).toBe(truth.fileBytes);
    expect(sha(readFileSync(file))).toBe(sha(readFileSync(out)));
  });

  it('the DuckDB reference agrees with the truth', async () => {
    const file = join(work, 'ref.log');
    const truth = writeSquidLog(file, { lines: 30_000, seed: 5, malformedRate: 0.01 });
    const res = await runReference(file, join(work, 'ref-out'));
    expect(res.good_lines).toBe(truth.goodLines);
    expect(res.rejected).toBe(truth.malformedLines);
    expect(res.groups).toBe(truth.groups);
    expect(res.bytes_in).toBe(truth.bytesGood);
    expect(statSync(res.parquet).size).toBeGreaterThan(0);
  });
});
