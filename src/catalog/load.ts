// Loads the shipped domain knowledge in catalogs/*.yaml (first-party apps and publishers, risky
// scopes, domains, noise), each versioned and naming its sources, and validates it: every problem at once as
// `file:line: field: message` (UserError, exit 2).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { severities, type Severity } from '../findings/model.js';
import { hostMatches, hostnameProblem, isPlatformSuffix, normalizeHost, registrableDomain } from './hosts.js';
import { identityProviders, type IdentityProvider } from './providers.js';
import { isoDateField, oneOf, parseYamlFile, problemAt, sortProblems, zodProblems, type YamlFile, type YamlPath } from './yaml-file.js';

/** The repo's catalogs/ folder. */
export const BUILTIN_CATALOG_DIR = fileURLToPath(new URL('../../catalogs/', import.meta.url));

export const CATALOG_FILES = {
  firstPartyApps: 'first-party-apps.yaml',
  firstPartyPublishers: 'first-party-publishers.yaml',
  riskyScopes: 'risky-scopes.yaml',
  domains: 'domains.yaml',
  noise: 'noise-domains.yaml',
} as const;

export const domainCategories = ['saas', 'ai', 'automation', 'file_sharing', 'tunnel', 'app_hosting'] as const;
export type DomainCategory = (typeof domainCategories)[number];

export const noiseKinds = ['cdn', 'os_update', 'browser_update', 'pki', 'telemetry', 'search', 'connectivity_check', 'analytics'] as const;
export type NoiseKind = (typeof noiseKinds)[number];

/** What a risky scope lets an app do (catalogs/risky-scopes.yaml). */
export const riskCapabilities = [
  'mail_read', 'mail_send', 'files_read', 'files_write', 'calendar', 'contacts', 'chat', 'directory_read',
  'directory_write', 'role_app_management', 'admin', 'security', 'devices', 'automation', 'offline_access',
] as const;
export type RiskCapability = (typeof riskCapabilities)[number];

/** delegated: a user's or a tenant-wide delegated consent; application: app-only; any: both (global scopes). */
export const permissionTypes = ['delegated', 'application', 'any'] as const;
export type PermissionType = (typeof permissionTypes)[number];

/** Severities a risky scope may carry (info would not be a risk). */
export const scopeSeverities = severities.filter((s) => s !== 'info') as Exclude<Severity, 'info'>[];

export interface CatalogSource {
  id: string;
  title: string;
  url?: string | undefined;
  note?: string | undefined;
}

export interface CatalogFileInfo {
  file: string;
  version: number;
  updated: string;
  sources: CatalogSource[];
}

/** An app that belongs to the identity provider itself: never shadow IT. */
export interface FirstPartyApp {
  provider: IdentityProvider;
  /** The app id or OAuth client id, when it is the same in every tenant. */
  app_id: string | null;
  /** A name key the provider reserves for its own apps (Okta's app `name`, e.g. okta_enduser). */
  name: string | null;
  label: string;
  source: string;
}

/** A publisher (Entra: the owner tenant, appOwnerOrganizationId) whose apps are all first-party. */
export interface FirstPartyPublisher {
  provider: IdentityProvider;
  /** Lower case; for Entra a tenant id (GUID). */
  publisher_id: string;
  name: string;
  source: string;
}

/** One catalogued scope; the catalog.risky_scopes table has one row per capability. */
export interface RiskyScope {
  provider: IdentityProvider;
  /** The API the scope belongs to (Entra: resource appId, lower case); null where scopes are global. */
  resource: string | null;
  scope: string;
  permission_type: PermissionType;
  capabilities: RiskCapability[];
  severity: Severity;
  source: string;
}

export interface CatalogDomain {
  /** A registrable domain (openai.com), or a platform suffix (vercel.app) when `platform`. */
  domain: string;
  vendor: string;
  category: DomainCategory;
  /** Every host directly under the suffix is a different customer's app (public-suffix list). */
  platform: boolean;
  source: string;
}

export interface NoiseDomain {
  /** A domain or a specific host; matches itself and every host under it. */
  domain: string;
  kind: NoiseKind;
  vendor: string;
  reason: string;
  source: string;
}

export interface Catalogs {
  firstPartyApps: FirstPartyApp[];
  firstPartyPublishers: FirstPartyPublisher[];
  riskyScopes: RiskyScope[];
  domains: CatalogDomain[];
  noise: NoiseDomain[];
  files: Record<keyof typeof CATALOG_FILES, CatalogFileInfo>;
}

const text = () => z.string().trim().min(1, 'must not be empty');
const sourceId = () => z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a source id: lowercase letters, digits, - and _');
const host = () => z.string().transform(normalizeHost);

const header = {
  version: z.number().int().positive('a positive integer, raised on every change'),
  updated: isoDateField(),
  sources: z
    .array(z.strictObject({ id: sourceId(), title: text(), url: z.url().optional(), note: text().optional() }))
    .min(1, 'name where the facts come from'),
};

const firstPartySchema = z.strictObject({
  ...header,
  apps: z.array(
    z
      .strictObject({
        provider: z.enum(identityProviders, { error: oneOf(identityProviders) }),
        app_id: text().optional(),
        name: text().optional(),
        label: text(),
        source: sourceId(),
        note: text().optional(),
      })
      .superRefine((app, ctx) => {
        if (!app.app_id && !app.name) ctx.addIssue({ code: 'custom', message: 'give app_id, name, or both', path: ['app_id'] });
        // Only Okta reserves app names for its own apps; elsewhere a name match could be anyone's app.
        if (!app.app_id && app.provider !== 'okta') ctx.addIssue({ code: 'custom', message: `${app.provider} apps are matched by app_id only`, path: ['app_id'] });
      }),
  ),
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const publishersSchema = z.strictObject({
  ...header,
  publishers: z.array(
    z
      .strictObject({
        provider: z.enum(identityProviders, { error: oneOf(identityProviders) }),
        publisher_id: text().transform((v) => v.toLowerCase()),
        name: text(),
        source: sourceId(),
        note: text().optional(),
      })
      .superRefine((p, ctx) => {
        // Entra's appOwnerOrganizationId is a tenant id; anything else could never match one.
        if (p.provider === 'entra' && !GUID.test(p.publisher_id)) ctx.addIssue({ code: 'custom', message: `an Entra tenant id (GUID such as f8cdef31-a31e-4b4a-93e4-5f571e91255a), got ${JSON.stringify(p.publisher_id)}`, path: ['publisher_id'] });
      }),
  ),
});

const riskyScopeRow = z.strictObject({
  scope: text(),
  type: z.enum(permissionTypes, { error: oneOf(permissionTypes) }),
  capabilities: z.array(z.enum(riskCapabilities, { error: oneOf(riskCapabilities) })).min(1, 'name at least one capability class'),
  severity: z.enum(scopeSeverities, { error: oneOf([...scopeSeverities].reverse()) }),
  source: sourceId().optional(),
  note: text().optional(),
});

const riskyScopesSchema = z.strictObject({
  ...header,
  resources: z.array(
    z.strictObject({
      provider: z.enum(identityProviders, { error: oneOf(identityProviders) }),
      resource: text().transform((v) => v.toLowerCase()).optional(),
      name: text(),
      source: sourceId(),
      note: text().optional(),
      scopes: z.array(riskyScopeRow).min(1, 'list the scopes of this API'),
    }),
  ),
});

function riskyScopesKnownKeys(path: YamlPath): readonly string[] {
  if (path.length === 0) return Object.keys(riskyScopesSchema.shape);
  if (path[0] === 'sources') return ['id', 'title', 'url', 'note'];
  if (path.includes('scopes')) return Object.keys(riskyScopeRow.shape);
  return ['provider', 'resource', 'name', 'source', 'note', 'scopes'];
}

const domainsSchema = z.strictObject({
  ...header,
  domains: z.array(
    z.strictObject({
      domain: host(),
      vendor: text(),
      category: z.enum(domainCategories, { error: oneOf(domainCategories) }),
      platform: z.boolean().default(false),
      source: sourceId(),
      note: text().optional(),
    }),
  ),
});

const noiseSchema = z.strictObject({
  ...header,
  noise: z.array(
    z.strictObject({
      domain: host(),
      kind: z.enum(noiseKinds, { error: oneOf(noiseKinds) }),
      vendor: text(),
      source: sourceId(),
      note: text().optional(),
    }),
  ),
});

/** Field names per level, for "did you mean" hints on unknown fields. */
function knownKeys(schema: z.ZodObject, listKey: string) {
  return (path: YamlPath): readonly string[] => {
    if (path.length === 0) return Object.keys(schema.shape);
    if (path[0] === 'sources') return ['id', 'title', 'url', 'note'];
    const list = schema.shape[listKey] as z.ZodArray<z.ZodType>;
    const item = list.element as unknown as { shape?: Record<string, unknown>; def?: { in?: { shape?: Record<string, unknown> } } };
    return Object.keys(item.shape ?? item.def?.in?.shape ?? {});
  };
}

/** Loads and validates the three catalog files; throws one UserError listing every problem. */
export function loadCatalogs(dir: string = BUILTIN_CATALOG_DIR): Catalogs {
  const problems: string[] = [];
  const read = (name: string): YamlFile | undefined => {
    const path = join(dir, name);
    if (!existsSync(path)) {
      problems.push(`${path}: file: missing catalog file`);
      return undefined;
    }
    const file = parseYamlFile(readFileSync(path, 'utf8'), path);
    problems.push(...file.problems);
    return file.problems.length ? undefined : file;
  };

  const fpFile = read(CATALOG_FILES.firstPartyApps);
  const pubFile = read(CATALOG_FILES.firstPartyPublishers);
  const riskFile = read(CATALOG_FILES.riskyScopes);
  const domFile = read(CATALOG_FILES.domains);
  const noiseFile = read(CATALOG_FILES.noise);
  const fp = fpFile && parseWith(fpFile, firstPartySchema, knownKeys(firstPartySchema, 'apps'), problems);
  const pub = pubFile && parseWith(pubFile, publishersSchema, knownKeys(publishersSchema, 'publishers'), problems);
  const risk = riskFile && parseWith(riskFile, riskyScopesSchema, riskyScopesKnownKeys, problems);
  const dom = domFile && parseWith(domFile, domainsSchema, knownKeys(domainsSchema, 'domains'), problems);
  const noise = noiseFile && parseWith(noiseFile, noiseSchema, knownKeys(noiseSchema, 'noise'), problems);

  if (fp && fpFile) {
    checkSources(fpFile, fp.sources, fp.apps, 'apps', problems);
    checkUnique(fpFile, fp.apps.map((a) => (a.app_id ? `${a.provider}:${a.app_id.toLowerCase()}` : undefined)), 'apps', 'app_id', problems);
  }
  if (pub && pubFile) {
    checkSources(pubFile, pub.sources, pub.publishers, 'publishers', problems);
    checkUnique(pubFile, pub.publishers.map((p) => `${p.provider}:${p.publisher_id}`), 'publishers', 'publisher_id', problems);
  }
  if (risk && riskFile) checkRiskyScopes(riskFile, risk, problems);
  if (dom && domFile) {
    checkSources(domFile, dom.sources, dom.domains, 'domains', problems);
    checkUnique(domFile, dom.domains.map((d) => d.domain), 'domains', 'domain', problems);
    dom.domains.forEach((d, i) => {
      const at = (m: string) => problems.push(problemAt(domFile, ['domains', i, 'domain'], m));
      const shape = hostnameProblem(d.domain);
      if (shape) return at(shape);
      // Egress is keyed on the registrable domain (src/ingest/domains.ts); an entry must be one, or
      // a platform suffix, or it could never match that key.
      if (d.platform && !isPlatformSuffix(d.domain)) {
        at(`platform: true, but neither the public-suffix list nor shadowscan's platform list (src/ingest/domains.ts) gives each app under ${d.domain} its own domain; drop platform`);
      } else if (!d.platform && isPlatformSuffix(d.domain)) {
        at(`${d.domain} is a shared platform suffix (public-suffix list): mark it platform: true`);
      } else if (!d.platform && registrableDomain(d.domain) !== d.domain) {
        at(`${d.domain} is a host under ${registrableDomain(d.domain)}; egress is matched on registrable domains, so list ${registrableDomain(d.domain)} or leave it out`);
      }
    });
  }
  if (noise && noiseFile) {
    checkSources(noiseFile, noise.sources, noise.noise, 'noise', problems);
    checkUnique(noiseFile, noise.noise.map((d) => d.domain), 'noise', 'domain', problems);
    noise.noise.forEach((n, i) => {
      const shape = hostnameProblem(n.domain);
      if (shape) problems.push(problemAt(noiseFile, ['noise', i, 'domain'], shape));
      // Noise is subtracted before anything is judged: it must never hide a catalogued service.
      const hidden = dom?.domains.find((d) => hostMatches(d.domain, n.domain));
      if (hidden) problems.push(problemAt(noiseFile, ['noise', i, 'domain'], `would hide the catalogued ${hidden.category} domain ${hidden.domain} (${hidden.vendor}); list specific hosts instead`));
    });
  }
  if (problems.length || !fp || !pub || !risk || !dom || !noise) throw catalogError(sortProblems(problems));

  const info = (file: string, h: { version: number; updated: string; sources: CatalogSource[] }): CatalogFileInfo => ({
    file, version: h.version, updated: h.updated, sources: h.sources,
  });
  return {
    firstPartyApps: fp.apps.map((a) => ({ provider: a.provider, app_id: a.app_id ?? null, name: a.name ?? null, label: a.label, source: a.source })),
    firstPartyPublishers: pub.publishers.map((p) => ({ provider: p.provider, publisher_id: p.publisher_id, name: p.name, source: p.source })),
    riskyScopes: risk.resources.flatMap((r) => r.scopes.map((row): RiskyScope => ({
      provider: r.provider, resource: r.resource ?? null, scope: row.scope, permission_type: row.type,
      capabilities: row.capabilities, severity: row.severity, source: row.source ?? r.source,
    }))),
    domains: dom.domains.map((d) => ({ domain: d.domain, vendor: d.vendor, category: d.category, platform: d.platform, source: d.source })),
    noise: noise.noise.map((n) => ({ domain: n.domain, kind: n.kind, vendor: n.vendor, reason: `${n.kind.replace(/_/g, ' ')}: ${n.vendor}`, source: n.source })),
    files: {
      firstPartyApps: info(join(dir, CATALOG_FILES.firstPartyApps), fp),
      firstPartyPublishers: info(join(dir, CATALOG_FILES.firstPartyPublishers), pub),
      riskyScopes: info(join(dir, CATALOG_FILES.riskyScopes), risk),
      domains: info(join(dir, CATALOG_FILES.domains), dom),
      noise: info(join(dir, CATALOG_FILES.noise), noise),
    },
  };
}


function parseWith<S extends z.ZodType>(file: YamlFile, schema: S, known: (p: YamlPath) => readonly string[], problems: string[]): z.output<S> | undefined {
  const parsed = schema.safeParse(file.value ?? {});
  if (parsed.success) return parsed.data;
  problems.push(...zodProblems(file, parsed.error.issues, [], known));
  return undefined;
}

function checkSources(file: YamlFile, sources: CatalogSource[], items: { source: string }[], listKey: string, problems: string[]): void {
  const ids = new Set<string>();
  sources.forEach((s, i) => {
    if (ids.has(s.id)) problems.push(problemAt(file, ['sources', i, 'id'], `duplicate source id ${s.id}`));
    ids.add(s.id);
  });
  items.forEach((item, i) => {
    if (!ids.has(item.source)) problems.push(problemAt(file, [listKey, i, 'source'], `unknown source ${item.source}; sources: ${[...ids].join(', ')}`));
  });
}

/**
 * Entra scopes belong to an API (resource appId, a GUID) and are delegated or application;
 * other providers' scope strings are global (no resource, type any). A scope is listed once per
 * (provider, resource, type), case-insensitively, with each capability once; sources exist.
 */
function checkRiskyScopes(file: YamlFile, risk: z.output<typeof riskyScopesSchema>, problems: string[]): void {
  const ids = new Set(risk.sources.map((s) => s.id));
  const unknownSource = (id: string) => `unknown source ${id}; sources: ${[...ids].join(', ')}`;
  const seen = new Map<string, string>();
  risk.resources.forEach((r, i) => {
    const at = (path: YamlPath, m: string) => problems.push(problemAt(file, ['resources', i, ...path], m));
    if (!ids.has(r.source)) at(['source'], unknownSource(r.source));
    if (r.provider === 'entra' && !r.resource) at(['resource'], 'Entra scopes belong to an API: give the resource app id (Microsoft Graph is 00000003-0000-0000-c000-000000000000)');
    if (r.provider === 'entra' && r.resource && !GUID.test(r.resource)) at(['resource'], `an app id (GUID), got ${JSON.stringify(r.resource)}`);
    if (r.provider !== 'entra' && r.resource) at(['resource'], `${r.provider} scope strings are global: drop resource`);
    r.scopes.forEach((row, j) => {
      const rowAt = (field: string, m: string) => at(['scopes', j, field], m);
      if (r.provider === 'entra' && row.type === 'any') rowAt('type', 'Entra permissions are delegated or application (an app role), not any');
      if (r.provider !== 'entra' && row.type !== 'any') rowAt('type', `${r.provider} scopes are not split by permission type: use any`);
      if (row.source && !ids.has(row.source)) rowAt('source', unknownSource(row.source));
      const dup = row.capabilities.find((c, k) => row.capabilities.indexOf(c) !== k);
      if (dup) rowAt('capabilities', `${dup} is listed twice`);
      const key = JSON.stringify([r.provider, r.resource ?? null, row.scope.toLowerCase(), row.type]);
      const first = seen.get(key);
      if (first) rowAt('scope', `duplicate ${row.scope} (${row.type}), already at ${first}`);
      else seen.set(key, `resources[${i}].scopes[${j}]`);
    });
  });
}

function checkUnique(file: YamlFile, keys: (string | undefined)[], listKey: string, field: string, problems: string[]): void {
  const first = new Map<string, number>();
  keys.forEach((key, i) => {
    if (key === undefined) return;
    const j = first.get(key);
    if (j === undefined) first.set(key, i);
    else problems.push(problemAt(file, [listKey, i, field], `duplicate ${key}, already at ${listKey}[${j}]`));
  });
}

function catalogError(problems: string[]): UserError {
  return new UserError(`the catalogs have ${problems.length} problem${problems.length === 1 ? '' : 's'}:`, {
    details: problems,
    hint: 'catalogs/README.md describes each file; every entry names one of its file\'s sources',
  });
}
