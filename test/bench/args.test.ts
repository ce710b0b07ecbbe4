// bench/lib/args.ts and the benchmarks' option parsing built on it.
import { describe, expect, it } from 'vitest';
import { BOOLEAN, STRING, countList, parseBenchArgs, shareOf, streamList } from '../../bench/lib/args.js';
import { parseOptions as entraOptions } from '../../bench/entra.js';
import { parseOptions as googleOptions } from '../../bench/google.js';
import { parseOptions as ingestOptions } from '../../bench/ingest.js';
import { parseOptions as oktaOptions } from '../../bench/okta.js';

const noLog = () => {};

describe('parseBenchArgs', () => {
  const spec = { name: 'demo', usage: 'demo [--share F] [--keep]', flags: { share: STRING, keep: BOOLEAN } };
  const build = (v: { share?: string; keep?: boolean }) => ({ share: v.share === undefined ? 0.5 : shareOf('share', v.share), keep: v.keep ?? false });

  it('reads --flag value and --flag=value', () => {
    expect(parseBenchArgs(spec, ['--share', '0.25', '--keep'], build)).toEqual({ share: 0.25, keep: true });
    expect(parseBenchArgs(spec, ['--share=1'], build)).toEqual({ share: 1, keep: false });
  });

  it('refuses an unknown flag unless told to skip it', () => {
    expect(() => parseBenchArgs(spec, ['--bogus', '1'], build)).toThrow('demo: unknown option --bogus\nusage: demo [--share F] [--keep]');
    const skipped: string[] = [];
    expect(parseBenchArgs(spec, ['--bogus', '--share', '0.1'], build, (a) => skipped.push(a))).toEqual({ share: 0.1, keep: false });
    expect(skipped).toEqual(['--bogus']);
  });

  it('names the flag when its value is missing or a boolean gets one', () => {
    expect(() => parseBenchArgs(spec, ['--share'], build)).toThrow(/^demo: .*--share.*\nusage: demo/s);
    expect(() => parseBenchArgs(spec, ['--keep=yes'], build)).toThrow(/^demo: .*--keep.*\nusage: demo/s);
  });

  it('refuses a share outside 0 < F ≤ 1, naming --share', () => {
    expect(() => parseBenchArgs(spec, ['--share', '2'], build)).toThrow('demo: --share: need 0 < F ≤ 1, got 2\nusage: demo [--share F] [--keep]');
    expect(() => parseBenchArgs(spec, ['--share=0'], build)).toThrow('--share: need 0 < F ≤ 1, got 0');
  });
});

describe('validators', () => {
  it('countList reads 1M,5M and sorts', () => {
    expect(countList('sizes', '1M,5M')).toEqual([1e6, 5e6]);
    expect(countList('sizes', '20M,250k')).toEqual([250e3, 20e6]);
    expect(() => countList('sizes', '')).toThrow('--sizes: need positive counts such as 1M,5M, got ');
    expect(() => countList('sizes', '1X')).toThrow('--sizes: need positive counts such as 1M,5M; not a count: 1X');
  });

  it('streamList keeps the given order of all streams', () => {
    expect(streamList('streams', 'c, a', ['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(() => streamList('streams', 'a,z', ['a', 'b'])).toThrow('--streams: choose from a,b; got z');
  });
});

describe('the benchmarks', () => {
  it('okta: defaults and flags', () => {
    expect(oktaOptions([], noLog)).toEqual({ size: 'large', scale: 15, logScale: 5, share: 0.5, streams: ['users', 'apps', 'app_grants', 'user_grants', 'system_log'], latencyMs: 0, seed: 42, keep: false, timeoutMs: undefined });
    const o = oktaOptions(['--size=demo', '--streams', 'system_log,users', '--share', '0.8', '--timeout', '90', '--keep', '--latency', '5'], noLog);
    expect(o).toMatchObject({ size: 'demo', scale: 100, logScale: 100, share: 0.8, streams: ['users', 'system_log'], timeoutMs: 90_000, keep: true, latencyMs: 5 });
    expect(() => oktaOptions(['--share', '2'], noLog)).toThrow(/^okta: --share: need 0 < F ≤ 1, got 2\nusage: okta \[--size large\|demo\]/);
    expect(() => oktaOptions(['--size', 'huge'], noLog)).toThrow('okta: --size: large or demo, got huge');
    expect(() => oktaOptions(['--scale', '0'], noLog)).toThrow('okta: --scale: need a positive number, got 0');
    expect(() => oktaOptions(['--seed', '1.5'], noLog)).toThrow('okta: --seed: need an integer, got 1.5');
  });

  it('skips and logs options meant for other benchmarks', () => {
    const logged: string[] = [];
    expect(oktaOptions(['--sizes', '1M', '--scale', '3'], (m) => logged.push(m)).scale).toBe(3);
    // `1M` is --sizes's value; okta does not know --sizes, so both words are skipped.
    expect(logged).toEqual(['okta: ignoring unknown option --sizes', 'okta: ignoring unknown option 1M']);
  });

  it('entra and google', () => {
    expect(entraOptions(['--streams', 'sign_ins,users'], noLog).streams).toEqual(['users', 'sign_ins']);
    expect(() => entraOptions(['--streams', 'groups'], noLog)).toThrow(/entra: --streams: choose from users,.*; got groups/);
    expect(googleOptions(['--concurrency', '3.7', '--size', 'demo'], noLog)).toMatchObject({ concurrency: 3, size: 'demo', scale: 50, checkpoint: 1000 });
    expect(() => googleOptions(['--concurrency', '0.5'], noLog)).toThrow('google: --concurrency: need a positive number, got 0.5');
  });

  it('ingest', () => {
    expect(ingestOptions([], noLog)).toEqual({ sizes: [1e6, 5e6], keep: false, runs: 1, timeoutMs: 1_800_000, skipShadowscan: false, zeekSizes: [5e6], zeekLogs: ['conn', 'ssl'] });
    expect(ingestOptions(['--sizes', '5M,1M', '--zeek-sizes=none', '--runs', '0', '--reference-only'], noLog)).toMatchObject({ sizes: [1e6, 5e6], zeekSizes: [], runs: 1, skipShadowscan: true });
    expect(() => ingestOptions(['--sizes', '0'], noLog)).toThrow('ingest: --sizes: need positive counts such as 1M,5M, got 0');
  });
});
