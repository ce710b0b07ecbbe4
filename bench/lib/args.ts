// Shared option parsing for the benchmarks, on node:util parseArgs (strict). Each benchmark
// declares its flags and builds its options from the parsed strings with the validators below;
// every error names the flag and what it allows, prefixed by the benchmark and followed by its
// usage line.
//
// Unknown flags: run.ts hands the same options to every selected benchmark ("each ignores what
// it does not know"), so a benchmark passes `onUnknown` to log and skip them; without it they
// are refused.

import { parseArgs } from 'node:util';
import { parseCount } from '../../fixtures/squid/generate.js';

export const STRING = { type: 'string' } as const;
export const BOOLEAN = { type: 'boolean' } as const;

export type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;
export type FlagValues<F extends FlagSpec> = { [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string };

export interface BenchArgsSpec<F extends FlagSpec> {
  /** Benchmark name, the prefix of every message. */
  name: string;
  usage: string;
  flags: F;
}

/**
 * Parses `args` against `spec.flags` (`--flag value` or `--flag=value`) and hands the values to
 * `build`; an error from either is rethrown as `NAME: message` + the usage line.
 */
export function parseBenchArgs<F extends FlagSpec, R>(
  spec: BenchArgsSpec<F>,
  args: readonly string[],
  build: (values: FlagValues<F>) => R,
  onUnknown?: (arg: string) => void,
): R {
  try {
    const known: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const name = a.startsWith('--') ? a.slice(2).split('=', 1)[0]! : undefined;
      const flag = name !== undefined && Object.hasOwn(spec.flags, name) ? spec.flags[name]! : undefined;
      if (!flag) {
        if (!onUnknown) throw new Error(`unknown option ${a}`);
        onUnknown(a);
        continue;
      }
      known.push(a);
      // A string flag's separate value travels with it (parseArgs reports a missing one).
      if (flag.type === 'string' && !a.includes('=') && i + 1 < args.length) known.push(args[++i]!);
    }
    const { values } = parseArgs({ args: known, options: spec.flags, strict: true, allowPositionals: false });
    return build(values as FlagValues<F>);
  } catch (e) {
    throw new Error(`${spec.name}: ${(e as Error).message}\nusage: ${spec.usage}`);
  }
}

/** A number > 0. */
export function positiveNumber(flag: string, v: string, what = 'a positive number'): number {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--${flag}: need ${what}, got ${v}`);
  return n;
}

/** A number floored to an integer, which must then be > 0. */
export function positiveInteger(flag: string, v: string): number {
  const n = Math.floor(Number(v));
  if (!(n > 0)) throw new Error(`--${flag}: need a positive number, got ${v}`);
  return n;
}

/** A share of a rate limit: 0 < F ≤ 1. */
export function shareOf(flag: string, v: string): number {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new Error(`--${flag}: need 0 < F ≤ 1, got ${v}`);
  return n;
}

export function integer(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${flag}: need an integer, got ${v}`);
  return n;
}

/** One of `choices` (e.g. the tenant sizes large|demo). */
export function oneOf<C extends string>(flag: string, v: string, choices: readonly C[]): C {
  if (!(choices as readonly string[]).includes(v)) throw new Error(`--${flag}: ${choices.join(' or ')}, got ${v}`);
  return v as C;
}

export const TENANT_SIZES = ['large', 'demo'] as const;

/** A comma list of stream names, returned in the order of `all` (the connector's order). */
export function streamList<S extends string>(flag: string, v: string, all: readonly S[]): S[] {
  const names = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = names.filter((n) => !(all as readonly string[]).includes(n));
  if (bad.length || names.length === 0) throw new Error(`--${flag}: choose from ${all.join(',')}; got ${bad.join(',') || 'nothing'}`);
  return all.filter((n) => names.includes(n));
}

/** A comma list of positive counts such as "1M,5M" or "250k", sorted ascending. */
export function countList(flag: string, v: string): number[] {
  let counts: number[];
  try {
    counts = v.split(',').filter((s) => s.trim()).map(parseCount);
  } catch (e) {
    throw new Error(`--${flag}: need positive counts such as 1M,5M; ${(e as Error).message}`);
  }
  if (counts.length === 0 || counts.some((n) => !(n > 0))) throw new Error(`--${flag}: need positive counts such as 1M,5M, got ${v}`);
  return counts.sort((x, y) => x - y);
}

/** The flags the live-scan benchmarks okta and entra share. */
export const SCAN_FLAGS = { size: STRING, scale: STRING, share: STRING, streams: STRING, seed: STRING, keep: BOOLEAN, timeout: STRING } as const;

/** Options from SCAN_FLAGS: size large (default) or demo, its default scale, share 0.5, all streams. */
export function scanOptions<S extends string>(
  v: FlagValues<typeof SCAN_FLAGS>,
  d: { scale: Record<(typeof TENANT_SIZES)[number], number>; streams: readonly S[]; seed: number },
) {
  const size = v.size === undefined ? 'large' : oneOf('size', v.size, TENANT_SIZES);
  return {
    size,
    scale: v.scale === undefined ? d.scale[size] : positiveNumber('scale', v.scale),
    share: v.share === undefined ? 0.5 : shareOf('share', v.share),
    streams: v.streams === undefined ? [...d.streams] : streamList('streams', v.streams, d.streams),
    seed: v.seed === undefined ? d.seed : integer('seed', v.seed),
    keep: v.keep ?? false,
    timeoutMs: v.timeout === undefined ? undefined : positiveNumber('timeout', v.timeout, 'a positive number of seconds') * 1000,
  };
}
