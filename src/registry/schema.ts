// The shape of one registry entry (DESIGN.md "Registry"): the permission manifest of
// "Secure-by-Default Micro Apps" plus the lightweight registry of "Security Risks of Micro
// Apps". Strict: an unknown field is an error, so a typo never silently drops an approval.
import { z } from 'zod';
import { IDENT } from '../config/schema.js';
import { hostnameProblem, isPlatformSuffix, normalizeHost, registrableDomain } from '../catalog/hosts.js';
import { shippedCatalogs } from '../catalog/cache.js';
import { identityProviders, type IdentityProvider } from '../catalog/providers.js';
import { isoDateField, oneOf } from '../catalog/yaml-file.js';

export const registryStatuses = ['approved', 'pending', 'retired'] as const;
export type RegistryStatus = (typeof registryStatuses)[number];

export const dataClassifications = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClassification = (typeof dataClassifications)[number];

const text = () => z.string().trim().min(1, 'must not be empty');
const strings = () => z.array(text()).default([]);

export const identitySchema = z.strictObject({
  provider: z.enum(identityProviders, { error: oneOf(identityProviders) }),
  app_id: text(),
});

/** A host name, lower-cased, that can equal an egress key (see registryDomainProblem). */
const domainField = () =>
  z
    .string()
    .transform(normalizeHost)
    .superRefine((value, ctx) => {
      const problem = hostnameProblem(value) ?? registryDomainProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/**
 * Registry domains are compared with the egress key (norm.egress.domain): a registrable domain,
 * or an app's own host under a platform suffix. Anything else could never match, and a whole
 * hosting platform is never one app.
 */
export function registryDomainProblem(domain: string): string | undefined {
  const platform = shippedCatalogs().domains.find((d) => d.platform && d.domain === domain);
  if (platform && isPlatformSuffix(domain)) {
    return `${domain} is ${platform.vendor}'s platform, shared by every customer: register each app's own host (e.g. my-app.${domain})`;
  }
  const key = registrableDomain(domain);
  if (key !== domain) {
    return `${domain} is a host under ${key}; egress is matched on registrable domains (or an app's host on a platform such as vercel.app): write ${key}`;
  }
  return undefined;
}

export const registryEntrySchema = z.strictObject({
  id: z.string().regex(IDENT, 'a lowercase identifier: letters, digits, - and _ (max 63 characters)'),
  name: text(),
  // `version: 1.2` is a YAML number; keep what the person meant as text.
  version: z.union([z.string().trim().min(1), z.number()]).transform(String).optional(),
  owner: text().optional(),
  purpose: text().optional(),
  data_classification: z.enum(dataClassifications, { error: oneOf(dataClassifications) }).optional(),
  identities: z.array(identitySchema).default([]),
  domains: z.array(domainField()).default([]),
  permissions: z
    .strictObject({
      files: strings(),
      network: strings(),
      llm: z.strictObject({ provider: text(), scopes: strings() }).optional(),
    })
    .optional(),
  third_party_services: strings(),
  approved_scopes: strings(),
  review_by: isoDateField().optional(),
  status: z.enum(registryStatuses, { error: oneOf(registryStatuses) }).default('approved'),
});

/** Known field names by nesting level, for "did you mean" hints. */
export function registryKnownKeys(path: (string | number)[]): readonly string[] {
  const named = path.filter((p): p is string => typeof p === 'string');
  if (named.length === 0) return Object.keys(registryEntrySchema.shape);
  if (named[0] === 'identities') return Object.keys(identitySchema.shape);
  if (named[0] === 'permissions') return named[1] === 'llm' ? ['provider', 'scopes'] : ['files', 'network', 'llm'];
  return [];
}

export interface RegistryIdentity {
  provider: IdentityProvider;
  app_id: string;
}

/** One approved (or pending, or retired) app, with where it was written. */
export interface RegistryEntry {
  id: string;
  name: string;
  version?: string | undefined;
  owner?: string | undefined;
  purpose?: string | undefined;
  data_classification?: DataClassification | undefined;
  identities: RegistryIdentity[];
  /** Lower-case registrable domains or platform app hosts. */
  domains: string[];
  permissions?: { files: string[]; network: string[]; llm?: { provider: string; scopes: string[] } | undefined } | undefined;
  third_party_services: string[];
  approved_scopes: string[];
  /** YYYY-MM-DD. */
  review_by?: string | undefined;
  status: RegistryStatus;
  /** Absolute path of the file that defines the entry. */
  file: string;
  /** Line of the entry in that file. */
  line: number;
}
