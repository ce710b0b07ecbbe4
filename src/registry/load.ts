// Loads the registry: every *.yaml / *.yml under the configured folder (a missing folder is an
// empty registry). A file holds one entry (a mapping) or a list of entries. Every problem of
// every file is collected and reported at once as `file:line: field: message` (UserError, exit 2).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { isMap, isSeq } from 'yaml';
import type { LoadedConfig } from '../config/load.js';
import { UserError } from '../errors.js';
import { lineAt, parseYamlFile, problemAt, shownPath, sortProblems, zodProblems, type YamlFile, type YamlPath } from '../catalog/yaml-file.js';
import { registryEntrySchema, registryKnownKeys, type RegistryEntry } from './schema.js';

export interface RegistryCheck {
  /** Absolute folder. */
  dir: string;
  /** Absolute paths of the YAML files read, in order. */
  files: string[];
  /** Entries that passed validation, by id (entries with problems are left out). */
  entries: RegistryEntry[];
  problems: string[];
}

/** The registry folder of a loaded config: `registry.dir`, relative to the config file. */
export function registryDir(loaded: LoadedConfig): string {
  const base = loaded.file ? dirname(loaded.file) : process.cwd();
  return resolve(base, loaded.config.registry.dir);
}

/** Loads and validates every entry under `dir`; throws one UserError listing every problem. */
export function loadRegistry(dir: string): RegistryEntry[] {
  const check = checkRegistry(dir);
  if (check.problems.length) throw registryError(check.problems);
  return check.entries;
}

export function registryError(problems: string[]): UserError {
  return new UserError(`the registry has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`, {
    details: problems,
    hint: 'fix each line above and run `shadowscan registry validate`; the fields are described in docs/rules-and-findings.md',
  });
}

/** Validates without throwing: what loaded and every problem found. */
export function checkRegistry(dir: string): RegistryCheck {
  const read = readRegistry(dir);
  const problems = [...read.problems];
  checkAcross(read.parsed, problems);
  return {
    dir: read.dir,
    files: read.files,
    entries: read.parsed
      .filter((p) => !p.invalid)
      .flatMap((p) => (p.entry ? [p.entry] : []))
      .sort((a, b) => a.id.localeCompare(b.id)),
    problems: sortProblems(problems),
  };
}

/** Reads and schema-checks every file under `dir` (cross-entry checks are `checkAcross`). */
export function readRegistry(dir: string): { dir: string; files: string[]; parsed: ParsedEntry[]; problems: string[] } {
  const abs = resolve(dir);
  const problems: string[] = [];
  if (!existsSync(abs)) return { dir: abs, files: [], parsed: [], problems };
  if (!statSync(abs).isDirectory()) {
    return { dir: abs, files: [], parsed: [], problems: [`${shownPath(abs)}: registry.dir: not a folder (the registry is a folder of YAML files)`] };
  }
  const files = yamlFiles(abs);
  const parsed = files.flatMap((path) => parseRegistryText(readFileSync(path, 'utf8'), path, problems));
  return { dir: abs, files, parsed, problems };
}

export interface ParsedEntry {
  /** The validated entry; undefined when the entry has schema problems (already reported). */
  entry?: RegistryEntry;
  /** The entry's id as written, when it is a string (so duplicates are found even in broken entries). */
  id?: string;
  file: YamlFile;
  /** Where the entry sits in its document ([] for a one-entry file, [i] in a list). */
  at: YamlPath;
  /** Set by cross-entry checks that make the entry unusable (duplicate id or identity). */
  invalid?: boolean;
}

/** Parses one registry file's text; schema problems are appended to `problems`. */
export function parseRegistryText(text: string, path: string, problems: string[]): ParsedEntry[] {
  const file = parseYamlFile(text, path);
  problems.push(...file.problems);
  if (file.problems.length || file.value === null || file.value === undefined) return [];
  const contents = file.doc.contents;
  const items: { value: unknown; at: YamlPath }[] = isSeq(contents)
    ? (file.value as unknown[]).map((value, i) => ({ value, at: [i] }))
    : isMap(contents)
      ? [{ value: file.value, at: [] }]
      : [];
  if (items.length === 0 && !isSeq(contents)) {
    problems.push(problemAt(file, [], 'a registry file holds one entry (a mapping of fields) or a list of entries'));
    return [];
  }
  const out: ParsedEntry[] = [];
  for (const { value, at } of items) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(problemAt(file, at, 'an entry is a mapping of fields (id, name, owner, identities, domains, ...)'));
      continue;
    }
    const rawId = (value as { id?: unknown }).id;
    const id = typeof rawId === 'string' ? rawId : undefined;
    const result = registryEntrySchema.safeParse(value);
    if (!result.success) {
      problems.push(...zodProblems(file, result.error.issues, at, registryKnownKeys));
      out.push({ id, file, at });
      continue;
    }
    const e = result.data;
    out.push({
      entry: { ...e, domains: [...new Set(e.domains)], file: resolve(path), line: lineAt(file, at) ?? 1 },
      id,
      file,
      at,
    });
  }
  return out;
}

/** Checks that need every entry: unique ids, and one live entry per identity. */
export function checkAcross(parsed: ParsedEntry[], problems: string[]): void {
  const where = (p: ParsedEntry) => `${p.file.shown}:${lineAt(p.file, [...p.at, 'id']) ?? lineAt(p.file, p.at) ?? 1}`;
  const byId = new Map<string, ParsedEntry>();
  for (const p of parsed) {
    if (p.id === undefined) continue;
    const first = byId.get(p.id);
    if (first) {
      problems.push(problemAt(p.file, [...p.at, 'id'], `duplicate id ${p.id}, also defined at ${where(first)}`));
      p.invalid = true;
    } else byId.set(p.id, p);
  }

  // One identity names one live app: two non-retired entries claiming it would make matching a coin toss.
  const byIdentity = new Map<string, ParsedEntry>();
  for (const p of parsed) {
    if (!p.entry || p.entry.status === 'retired') continue;
    p.entry.identities.forEach((identity, i) => {
      const key = `${identity.provider}:${identity.app_id.toLowerCase()}`;
      const first = byIdentity.get(key);
      if (first === p) {
        problems.push(problemAt(p.file, [...p.at, 'identities', i], `${identity.provider}:${identity.app_id} is listed twice`));
      } else if (first) {
        problems.push(problemAt(p.file, [...p.at, 'identities', i, 'app_id'], `${identity.provider}:${identity.app_id} is already the identity of ${first.entry!.id} (${where(first)})`));
        p.invalid = true;
      } else byIdentity.set(key, p);
    });
  }
}

/** Every *.yaml / *.yml below `dir`, sorted, skipping dot-files and dot-folders. */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(path));
    else if (['.yaml', '.yml'].includes(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out;
}
