// Loads shadowscan.yaml: YAML → env/secret expansion → zod. Every problem is collected and
// reported at once as "file:line path: message" (UserError, exit 2), never one at a time.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { expandEnv, resolveSecretRef, Secret } from './secrets.js';

export const DEFAULT_CONFIG_FILE = 'shadowscan.yaml';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file, or undefined when running on defaults (no file). */
  file: string | undefined;
  /** Absolute data directory. */
  dataDir: string;
  /** Secrets by dotted config path (e.g. "instances.okta-prod.token"). */
  secrets: Map<string, Secret>;
  /**
   * Secrets that could not be resolved (e.g. the env var is not set), by instance. They only
   * matter to commands that use the instance (scan, doctor): `query` or `findings` work without.
   */
  secretProblems: Map<string, string[]>;
}

/** Secret fields per instance type (dotted paths inside the instance). Extended by connectors. */
export const SECRET_FIELDS = new Set(['token', 'client_secret', 'private_key', 'privateKey', 'clientSecret', 'secret_access_key', 'password', 'service_account_key']);

/** The secrets of one instance, keyed by their path inside it (e.g. "token", "oauth.private_key"). */
export function instanceSecrets(loaded: LoadedConfig, instance: string): Map<string, Secret> {
  const problems = loaded.secretProblems.get(instance);
  if (problems?.length) {
    throw new UserError(`instance ${instance} cannot be used: ${problems.length} secret${problems.length > 1 ? 's' : ''} missing`, {
      details: problems,
      hint: 'export the environment variable (or fix the file: path) and run again',
    });
  }
  const prefix = `instances.${instance}.`;
  return new Map([...loaded.secrets].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

export function loadConfig(opts: { file?: string; dataDir?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.file ?? env.SHADOWSCAN_CONFIG;
  const file = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit) throw new UserError(`config file not found: ${file}`, { hint: 'run `shadowscan init` to write one, or pass --config PATH' });
    const config = configSchema.parse({});
    return { config, file: undefined, dataDir: resolve(cwd, opts.dataDir ?? env.SHADOWSCAN_DATA_DIR ?? config.data_dir), secrets: new Map(), secretProblems: new Map() };
  }
  const text = readFileSync(file, 'utf8');
  const { config, secrets, secretProblems } = parseConfigText(text, file, env);
  const base = dirname(file);
  return { config, file, dataDir: resolve(cwd, opts.dataDir ?? env.SHADOWSCAN_DATA_DIR ?? resolve(base, config.data_dir)), secrets, secretProblems };
}

export function parseConfigText(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
): { config: Config; secrets: Map<string, Secret>; secretProblems: Map<string, string[]> } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: string[] = [];
  const at = (path: (string | number)[]) => {
    const line = lineOf(doc, lineCounter, path);
    return `${file}${line ? `:${line}` : ''}`;
  };
  for (const err of doc.errors) {
    // With prettyErrors off, linePos is not filled: derive the line from the offset.
    const pos = err.linePos?.[0] ?? (err.pos?.[0] !== undefined ? lineCounter.linePos(err.pos[0]) : undefined);
    problems.push(`${file}${pos ? `:${pos.line}` : ''}: YAML: ${err.message.split('\n')[0]}`);
  }
  if (problems.length) throw configError(problems);

  const raw: unknown = doc.toJS() ?? {};
  const secrets = new Map<string, Secret>();
  const secretProblems = new Map<string, string[]>();
  const expanded = walkStrings(raw, [], (value, path) => {
    const key = String(path[path.length - 1]);
    if (path[0] === 'instances' && path.length >= 3 && SECRET_FIELDS.has(key)) {
      const resolved = resolveSecretRef(value, env);
      if (resolved instanceof Secret) secrets.set(path.join('.'), resolved);
      else if (resolved.error !== 'not a secret reference') {
        const instance = String(path[1]);
        secretProblems.set(instance, [...(secretProblems.get(instance) ?? []), `${at(path)} ${path.join('.')}: ${resolved.error}`]);
      }
      return value; // the schema still sees the reference, never the value
    }
    const { value: out, missing } = expandEnv(value, env);
    for (const name of missing) problems.push(`${at(path)} ${path.join('.')}: environment variable ${name} is not set`);
    return out;
  });

  const parsed = configSchema.safeParse(expanded);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, at)));
  if (problems.length || !parsed.success) throw configError(sortByLine(problems));
  return { config: parsed.data, secrets, secretProblems };
}

/** Problems in file order (they are found in two passes: env/secrets, then the schema). */
function sortByLine(problems: string[]): string[] {
  const line = (p: string) => Number(/^[^ ]*?:(\d+)[ :]/.exec(p)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return [...problems].sort((a, b) => line(a) - line(b));
}

function configError(problems: string[]): UserError {
  return new UserError(`the config has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`, {
    details: problems,
    hint: 'fix each line above; `shadowscan init --force` writes a commented example',
  });
}

function describeIssue(issue: z.core.$ZodIssue, at: (p: (string | number)[]) => string): string[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${at([...path, k])} ${[...path, k].join('.')}: unknown key (check the spelling; \`shadowscan init\` shows every key)`);
  }
  const where = path.length ? path.join('.') : '(top level)';
  return [`${at(path)} ${where}: ${issue.message}`];
}

function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number | undefined {
  // The key node gives the best line for unknown keys; fall back to the value, then the parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const parentPath = path.slice(0, Math.max(0, depth - 1));
    const key = path[depth - 1];
    const parent = (parentPath.length ? doc.getIn(parentPath, true) : doc.contents) as Node | undefined;
    if (depth > 0 && isSeq(parent) && typeof key === 'number') {
      const range = (parent.items[key] as Node | undefined)?.range;
      if (range) return lc.linePos(range[0]).line;
    }
    if (depth > 0 && isMap(parent)) {
      const item = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
      const range = (item?.key as Node | undefined)?.range;
      if (range) return lc.linePos(range[0]).line;
    }
    if (depth === 0) {
      const range = (doc.contents as Node | null)?.range;
      return range ? lc.linePos(range[0]).line : undefined;
    }
  }
  return undefined;
}

function walkStrings(value: unknown, path: (string | number)[], fn: (v: string, path: (string | number)[]) => string): unknown {
  if (typeof value === 'string') return fn(value, path);
  if (Array.isArray(value)) return value.map((v, i) => walkStrings(v, [...path, i], fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walkStrings(v, [...path, k], fn)]));
  }
  return value;
}
