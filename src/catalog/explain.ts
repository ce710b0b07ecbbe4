// Explains how one host is classified, step by step, with the same rules as ingest and the egress
// rule: its egress key (registrable domain, or the app's own host under a platform suffix) and
// why, the catalog entry that names its vendor and category (with the entry's source), noise,
// company domain, the registry entry that approves it, and what unregistered-egress does with it.
// Pure: the caller loads the catalogs, config and registry (src/commands/domains.ts).
import { parse } from 'tldts';
import { EXTRA_PLATFORM_SUFFIXES } from '../ingest/domains.js';
import { longest } from './classify.js';
import { hostMatches, normalizeHost, registrableDomain } from './hosts.js';
import type { CatalogDomain, Catalogs, CatalogSource, DomainCategory } from './load.js';

export type KeyReason = 'ip' | 'registrable' | 'psl_platform' | 'shadowscan_platform' | 'no_registrable_domain';

export interface HostExplanation {
  host: string;
  /** The egress key (norm.egress.domain). */
  domain: string;
  key: { reason: KeyReason; public_suffix: string | null; platform_suffix: string | null; text: string };
  catalog: { domain: string; vendor: string; category: DomainCategory; platform: boolean; source: CatalogSource } | null;
  noise: { domain: string; kind: string; vendor: string; reason: string; source: CatalogSource } | null;
  company: { domain: string } | null;
  /** Null when no registry was given (no config folder); otherwise the approving entry, if any. */
  registry: { checked: boolean; entry: { id: string; status: string; domain: string; file: string } | null; retired: string[] };
  verdict: { reported: boolean; text: string };
}

export interface RegistryDomains {
  id: string;
  status: string;
  domains: readonly string[];
  file: string;
}

export interface ExplainOptions {
  catalogs: Catalogs;
  /** Config `catalog.domains`: the company's additions (source "config"). */
  extraDomains?: readonly { domain: string; vendor: string; category: string }[];
  companyDomains?: readonly string[];
  /** Undefined when there is no registry to consult. */
  registry?: readonly RegistryDomains[];
  /** unregistered-egress's egress_min_users, for the verdict text. */
  minUsers?: number;
}

const CONFIG_SOURCE: CatalogSource = { id: 'config', title: 'catalog.domains in the config file' };

export function explainHost(rawHost: string, opts: ExplainOptions): HostExplanation {
  const host = normalizeHost(rawHost);
  const domain = registrableDomain(host);
  const domains: CatalogDomain[] = [
    ...opts.catalogs.domains,
    ...(opts.extraDomains ?? []).map((d) => ({ domain: normalizeHost(d.domain), vendor: d.vendor, category: d.category as DomainCategory, platform: false, source: 'config' })),
  ];
  const sourceOf = (file: keyof Catalogs['files'], id: string): CatalogSource =>
    id === 'config' ? CONFIG_SOURCE : opts.catalogs.files[file].sources.find((s) => s.id === id) ?? { id, title: id };

  // The catalog entry the rule would pick: it matches the egress key (itself or a parent), longest first.
  const cat = longest(domains, domain);
  const noise = longest(opts.catalogs.noise, host);
  const company = (opts.companyDomains ?? []).map(normalizeHost).filter((d) => hostMatches(host, d)).sort((a, b) => b.length - a.length)[0];
  const registry = registryFor(domain, opts.registry, domains);

  const out: HostExplanation = {
    host,
    domain,
    key: keyReason(host, domain),
    catalog: cat ? { domain: cat.domain, vendor: cat.vendor, category: cat.category, platform: cat.platform, source: sourceOf('domains', cat.source) } : null,
    noise: noise ? { domain: noise.domain, kind: noise.kind, vendor: noise.vendor, reason: noise.reason, source: sourceOf('noise', noise.source) } : null,
    company: company ? { domain: company } : null,
    registry,
    verdict: { reported: false, text: '' },
  };
  out.verdict = verdict(out, opts.minUsers ?? 1);
  return out;
}

function keyReason(host: string, domain: string): HostExplanation['key'] {
  const parsed = parse(host, { allowPrivateDomains: true });
  const ps = parsed.publicSuffix ?? null;
  if (parsed.isIp) return { reason: 'ip', public_suffix: null, platform_suffix: null, text: 'an IP address: the key is the address itself; no catalog entry can name it' };
  const extra = [...EXTRA_PLATFORM_SUFFIXES].filter((s) => hostMatches(host, s) && host !== s).sort((a, b) => b.length - a.length)[0];
  if (extra) {
    return {
      reason: 'shadowscan_platform', public_suffix: ps, platform_suffix: extra,
      text: `${extra} is a shared hosting/tunnel suffix shadowscan splits itself (the public-suffix list does not): each host directly under it is its own app, so the key is ${domain}`,
    };
  }
  if (parsed.domain === null) {
    return { reason: 'no_registrable_domain', public_suffix: ps, platform_suffix: null, text: `no registrable domain (${ps === host ? 'the host is itself a public suffix' : 'unknown top-level domain'}): the key is the host` };
  }
  if (parsed.isPrivate) {
    return {
      reason: 'psl_platform', public_suffix: ps, platform_suffix: ps,
      text: `${ps} is in the private section of the public-suffix list (a shared platform): each host directly under it is its own domain, so the key is ${domain}`,
    };
  }
  return { reason: 'registrable', public_suffix: ps, platform_suffix: null, text: `registrable domain: one label above the public suffix ${ps}${domain === host ? '' : `; every host under ${domain} shares this key`}` };
}

/** The non-retired entry naming the key, or a parent of it unless that parent is a hosting/tunnel platform suffix. */
function registryFor(domain: string, entries: readonly RegistryDomains[] | undefined, catalogDomains: readonly CatalogDomain[]): HostExplanation['registry'] {
  if (!entries) return { checked: false, entry: null, retired: [] };
  const platformSuffixes = new Set(catalogDomains.filter((d) => d.category === 'app_hosting' || d.category === 'tunnel').map((d) => d.domain));
  const covers = (d: string) => d === domain || (hostMatches(domain, d) && !platformSuffixes.has(d));
  const hits = entries.flatMap((e) => e.domains.map(normalizeHost).filter(covers).map((d) => ({ e, d })));
  const live = hits.filter((h) => h.e.status !== 'retired').sort((a, b) => a.e.id.localeCompare(b.e.id))[0];
  return {
    checked: true,
    entry: live ? { id: live.e.id, status: live.e.status, domain: live.d, file: live.e.file } : null,
    retired: [...new Set(hits.filter((h) => h.e.status === 'retired').map((h) => h.e.id))].sort(),
  };
}

function verdict(x: HostExplanation, minUsers: number): HostExplanation['verdict'] {
  if (x.noise) return { reported: false, text: `noise (${x.noise.reason}): dropped before any rule judges it` };
  if (x.company) return { reported: false, text: `a company domain (${x.company.domain}): never reported` };
  if (!x.catalog) return { reported: false, text: 'not in the domain catalog: unregistered-egress does not judge it (add it under catalog.domains in the config to have it judged)' };
  const service = `${x.catalog.category} service ${x.catalog.vendor}`;
  if (x.registry.entry) return { reported: false, text: `${service}, registered as ${x.registry.entry.id}: ok` };
  return {
    reported: true,
    text: `${service}, ${x.registry.checked ? 'not in the registry' : 'no registry consulted'}: unregistered-egress alarms on ${x.domain} when at least ${minUsers} user(s) reach it`,
  };
}
