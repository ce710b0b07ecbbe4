// Adds an entry as <dir>/<id>.yaml: built from command-line values, validated exactly like a
// hand-written file (and against the entries already there) before anything is written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { IDENT } from '../config/schema.js';
import { UserError } from '../errors.js';
import { shownPath } from '../catalog/yaml-file.js';
import { identityProviders } from '../catalog/providers.js';
import { normalizeHost } from '../catalog/hosts.js';
import { checkAcross, parseRegistryText, readRegistry } from './load.js';
import type { RegistryEntry } from './schema.js';

export interface NewRegistryEntry {
  id: string;
  name: string;
  owner?: string | undefined;
  purpose?: string | undefined;
  data_classification?: string | undefined;
  /** `provider:app_id`, e.g. okta:0oa1abc (the app id may itself contain colons, as AWS ARNs do). */
  identities?: string[];
  domains?: string[];
  approved_scopes?: string[];
  review_by?: string | undefined;
  status?: string | undefined;
}

export interface AddedEntry {
  entry: RegistryEntry;
  file: string;
  /** Problems elsewhere in the registry (not caused by this entry). */
  otherProblems: string[];
}

/** `okta:0oa1abc` → {provider: 'okta', app_id: '0oa1abc'}. */
export function parseIdentityArg(arg: string): { provider: string; app_id: string } {
  const colon = arg.indexOf(':');
  if (colon <= 0 || colon === arg.length - 1) {
    throw new UserError(`--identity ${JSON.stringify(arg)} is not provider:app_id`, {
      hint: `e.g. --identity okta:0oa1b2c3d4 (providers: ${identityProviders.join(', ')})`,
    });
  }
  return { provider: arg.slice(0, colon).trim().toLowerCase(), app_id: arg.slice(colon + 1).trim() };
}

export function addRegistryEntry(dir: string, input: NewRegistryEntry): AddedEntry {
  if (!IDENT.test(input.id)) {
    throw new UserError(`--id ${JSON.stringify(input.id)} is not a registry id`, { hint: 'use lowercase letters, digits, - and _ (it is also the file name)' });
  }
  const abs = resolve(dir);
  const target = join(abs, `${input.id}.yaml`);
  const text = entryYaml(input);

  const problems: string[] = [];
  const added = parseRegistryText(text, target, problems);
  if (problems.length || added.length !== 1 || !added[0]!.entry) {
    throw new UserError('the new entry is not valid:', { details: problems.map(asOptionProblem), hint: 'nothing was written; fix the options above' });
  }
  const existing = readRegistry(abs);
  const across: string[] = [];
  checkAcross([...existing.parsed, ...added], across);
  const mine = across.filter((p) => p.startsWith(`${shownPath(target)}:`));
  if (mine.length) throw new UserError(`cannot add ${input.id}:`, { details: mine.map(asOptionProblem), hint: 'nothing was written' });

  mkdirSync(abs, { recursive: true });
  try {
    writeFileSync(target, text, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(`${shownPath(target)} already exists`, { hint: 'pick another --id, or edit that file' });
    }
    throw e;
  }
  return { entry: added[0]!.entry!, file: target, otherProblems: [...existing.problems, ...across.filter((p) => !mine.includes(p))] };
}

/** The file as a person would write it: fields in the documented order, empty lists left out. */
function entryYaml(input: NewRegistryEntry): string {
  const entry: Record<string, unknown> = { id: input.id, name: input.name };
  if (input.owner !== undefined) entry.owner = input.owner;
  if (input.purpose !== undefined) entry.purpose = input.purpose;
  if (input.data_classification !== undefined) entry.data_classification = input.data_classification;
  if (input.identities?.length) entry.identities = input.identities.map(parseIdentityArg);
  if (input.domains?.length) entry.domains = input.domains.map(normalizeHost);
  if (input.approved_scopes?.length) entry.approved_scopes = input.approved_scopes;
  if (input.review_by !== undefined) entry.review_by = input.review_by;
  entry.status = input.status ?? 'approved';
  return `# Written by \`shadowscan registry add\`; review it like code (docs/rules-and-findings.md lists the fields).\n${stringify(entry)}`;
}

/** The file does not exist yet, so a line number means little: name the field only. */
function asOptionProblem(problem: string): string {
  return problem.replace(/^.*?:\d+: /, '');
}
