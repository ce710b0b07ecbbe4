// Loads rules: queries/<domain>/<rule_id>.sql + <rule_id>.yaml from the built-in folder and the
// user folders of `rules.dirs`, validated on load. Every problem of every file is collected and
// reported at once as `file:line: field: message` (UserError, exit 2).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { LoadedConfig } from '../config/load.js';
import { IDENT, THRESHOLD_NAME } from '../config/schema.js';
import { UserError } from '../errors.js';
import { severities } from '../findings/model.js';
import { ruleStatuses, type Rule, type RuleTestCase, type TestValue } from './model.js';
import { ruleViewNames, ruleViews } from './views.js';
import { formatPath, lineOf, type YamlPath } from './yaml-lines.js';

/** The repo's queries/ folder (rules shipped with shadowscan). */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../queries/', import.meta.url));

const testValue: z.ZodType<TestValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(testValue)]));
const oneOf = (values: readonly string[]) => (iss: { input?: unknown }) =>
  `must be one of ${values.join(', ')}${iss.input === undefined ? '' : `, got ${JSON.stringify(iss.input)}`}`;

const sourceStatusSchema = z.strictObject({
  instance: z.string().min(1),
  view: z.string().min(1),
  state: z.enum(['complete', 'partial', 'missing'], { error: oneOf(['complete', 'partial', 'missing']) }),
  detail: z.string().optional(),
});

const testCaseSchema = z.strictObject({
  name: z.string().min(1),
  given: z.record(z.string(), z.array(z.record(z.string(), testValue))).default({}),
  expect: z.array(
    z.strictObject({
      resource: z.string(),
      status: z.enum(ruleStatuses, { error: oneOf(ruleStatuses) }),
      instance: z.string().optional(),
      severity: z.enum(severities, { error: oneOf([...severities].reverse()) }).optional(),
    }),
  ),
  thresholds: z.record(z.string(), z.number().finite()).default({}),
  sources: z.array(sourceStatusSchema).default([]),
});

export const ruleFileSchema = z.strictObject({
  id: z.string().regex(IDENT, 'use lowercase letters, digits, - and _ (it is also the file name)'),
  title: z.string().min(1),
  severity: z.enum(severities, { error: oneOf([...severities].reverse()) }),
  description: z.string().min(1),
  risk: z.string().min(1),
  remediation: z.string().min(1),
  references: z.array(z.string()).default([]),
  tags: z.array(z.string()).default([]),
  requires: z.array(z.string()).min(1, 'name at least one view the rule reads (e.g. norm.grants)'),
  thresholds: z.record(z.string().regex(THRESHOLD_NAME, 'threshold names are lowercase identifiers (a-z, 0-9, _)'), z.number().finite()).default({}),
  tests: z.array(testCaseSchema).min(1, 'give at least one test case (one that must alarm and one that must not)'),
});

export interface LoadRulesOptions {
  /** User folders (absolute, or relative to `base`), same layout as queries/. */
  dirs?: string[];
  /** Folder relative user dirs are resolved against (the config file's folder). */
  base?: string;
  /** The built-in folder; false to load user folders only (tests). */
  builtinDir?: string | false;
}

/** Loads and validates every rule; throws one UserError listing every problem. */
export function loadRules(opts: LoadRulesOptions = {}): Rule[] {
  const problems: string[] = [];
  const rules: Rule[] = [];
  const roots: { dir: string; builtin: boolean }[] = [];
  if (opts.builtinDir !== false) roots.push({ dir: opts.builtinDir ?? BUILTIN_RULES_DIR, builtin: true });
  for (const d of opts.dirs ?? []) roots.push({ dir: resolve(opts.base ?? process.cwd(), d), builtin: false });

  for (const root of roots) {
    if (!existsSync(root.dir) || !statSync(root.dir).isDirectory()) {
      problems.push(`${displayPath(root.dir)}: rules.dirs: not a folder (rules live in <dir>/<domain>/<rule_id>.yaml + .sql)`);
      continue;
    }
    for (const pair of rulePairs(root.dir, problems)) {
      const rule = loadRuleFiles(pair, root.builtin, problems);
      if (rule) rules.push(rule);
    }
  }

  const seen = new Map<string, Rule>();
  for (const r of rules) {
    const first = seen.get(r.id);
    if (first) problems.push(`${displayPath(r.yamlFile)}:1: id: duplicate rule id ${r.id}, already defined in ${displayPath(first.yamlFile)}`);
    else seen.set(r.id, r);
  }
  if (problems.length) throw rulesError(problems);
  return rules.sort((a, b) => a.domain.localeCompare(b.domain) || a.id.localeCompare(b.id));
}

/** The built-in rules plus the config's `rules.dirs` (relative to the config file). */
export function loadConfiguredRules(loaded: LoadedConfig): Rule[] {
  const rules = loadRules({ dirs: loaded.config.rules.dirs, base: loaded.file ? dirname(loaded.file) : process.cwd() });
  const declared = new Set(rules.flatMap((r) => Object.keys(r.thresholds)));
  const unknown = Object.keys(loaded.config.rules.thresholds).filter((name) => !declared.has(name));
  if (unknown.length) {
    throw new UserError(`the config sets threshold${unknown.length > 1 ? 's' : ''} that no rule declares`, {
      details: unknown.map((name) => `${loaded.file ?? 'config'}: rules.thresholds.${name}: no rule declares this threshold`),
      hint: `declared thresholds: ${[...declared].sort().join(', ') || 'none'} (see \`shadowscan rules list --json\`)`,
    });
  }
  return rules;
}

export function rulesError(problems: string[]): UserError {
  return new UserError(`the rules have ${problems.length} problem${problems.length === 1 ? '' : 's'}:`, {
    details: problems,
    hint: 'fix each line above; a rule is queries/<domain>/<rule_id>.yaml + .sql (see docs/rules-and-findings.md)',
  });
}

/** A path as shown in messages: relative to the working directory when below it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

interface RulePair {
  domain: string;
  id: string;
  yamlFile: string;
  sqlFile: string;
}

function rulePairs(root: string, problems: string[]): RulePair[] {
  const pairs: RulePair[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(root, entry.name);
    if (!entry.isDirectory()) {
      if (['.yaml', '.yml', '.sql'].includes(extname(entry.name))) {
        problems.push(`${displayPath(path)}: file: rules belong in a domain folder: <dir>/<domain>/${entry.name}`);
      }
      continue;
    }
    const files = readdirSync(path).filter((f) => !f.startsWith('.'));
    const stems = new Set<string>();
    for (const f of files) {
      const ext = extname(f);
      if (ext === '.yml') problems.push(`${displayPath(join(path, f))}: file: name rule metadata <rule_id>.yaml, not .yml`);
      if (ext === '.yaml' || ext === '.sql') stems.add(basename(f, ext));
    }
    for (const stem of [...stems].sort()) {
      const yamlFile = join(path, `${stem}.yaml`);
      const sqlFile = join(path, `${stem}.sql`);
      if (!files.includes(`${stem}.yaml`)) {
        problems.push(`${displayPath(sqlFile)}: file: no ${stem}.yaml beside it (every rule has metadata and test cases)`);
        continue;
      }
      if (!files.includes(`${stem}.sql`)) {
        problems.push(`${displayPath(yamlFile)}: file: no ${stem}.sql beside it (the rule's query)`);
        continue;
      }
      pairs.push({ domain: entry.name, id: stem, yamlFile, sqlFile });
    }
  }
  return pairs;
}

function loadRuleFiles(pair: RulePair, builtin: boolean, problems: string[]): Rule | undefined {
  const yamlShown = displayPath(pair.yamlFile);
  const lc = new LineCounter();
  const doc = parseDocument(readFileSync(pair.yamlFile, 'utf8'), { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    for (const err of doc.errors) {
      // linePos is only filled with prettyErrors; the offset always is.
      const line = err.linePos?.[0]?.line ?? lc.linePos(err.pos[0]).line;
      problems.push(`${yamlShown}:${line}: YAML: ${err.message.split('\n')[0]}`);
    }
    return undefined;
  }
  const at = (path: YamlPath, message: string) => {
    const line = lineOf(doc, lc, path);
    problems.push(`${yamlShown}${line ? `:${line}` : ''}: ${formatPath(path)}: ${message}`);
  };
  const before = problems.length;

  const parsed = ruleFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      if (issue.code === 'unrecognized_keys') for (const k of issue.keys) at([...path, k], 'unknown field');
      else at(path, issue.message);
    }
    return undefined;
  }
  const meta = parsed.data;
  if (meta.id !== pair.id) at(['id'], `must equal the file name: ${pair.id} (got ${meta.id})`);

  meta.requires.forEach((view, i) => {
    if (!ruleViews[view]) at(['requires', i], `unknown view ${view}; rules read ${ruleViewNames.join(', ')}`);
  });
  meta.tests.forEach((t, i) => checkTestCase(t, ['tests', i], meta.requires, meta.thresholds, at));
  const names = new Set<string>();
  meta.tests.forEach((t, i) => {
    if (names.has(t.name)) at(['tests', i, 'name'], `duplicate test name ${JSON.stringify(t.name)}`);
    names.add(t.name);
  });

  const sql = readFileSync(pair.sqlFile, 'utf8');
  const sqlShown = displayPath(pair.sqlFile);
  if (!sql.replace(/--[^\n]*/g, '').trim()) problems.push(`${sqlShown}:1: sql: the query is empty`);
  sql.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/getvariable\(\s*'([^']*)'\s*\)/gi)) {
      if (!(m[1]! in meta.thresholds)) {
        problems.push(`${sqlShown}:${i + 1}: thresholds: getvariable('${m[1]}') is not declared under thresholds: in ${basename(pair.yamlFile)}`);
      }
    }
  });

  if (problems.length > before) return undefined;
  return {
    ...meta,
    tests: meta.tests as RuleTestCase[],
    sql,
    domain: pair.domain,
    yamlFile: pair.yamlFile,
    sqlFile: pair.sqlFile,
    builtin,
  };
}

function checkTestCase(
  t: z.infer<typeof testCaseSchema>,
  path: YamlPath,
  requires: string[],
  thresholds: Record<string, number>,
  at: (path: YamlPath, message: string) => void,
): void {
  for (const [view, rows] of Object.entries(t.given)) {
    const columns = ruleViews[view];
    if (!columns) {
      at([...path, 'given', view], `unknown view ${view}; test inputs are rows of ${ruleViewNames.join(', ')}`);
      continue;
    }
    rows.forEach((row, r) => {
      for (const col of Object.keys(row)) {
        if (!(col in columns)) at([...path, 'given', view, r, col], `${view} has no column ${col} (columns: ${Object.keys(columns).join(', ')})`);
      }
    });
  }
  for (const name of Object.keys(t.thresholds)) {
    if (!(name in thresholds)) at([...path, 'thresholds', name], `unknown threshold ${name}; the rule declares ${Object.keys(thresholds).join(', ') || 'none'}`);
  }
  t.sources.forEach((s, i) => {
    if (!requires.includes(s.view)) at([...path, 'sources', i, 'view'], `${s.view} is not in requires (${requires.join(', ')})`);
  });
}
