// What the catalogs say about one host: its egress key (registrable domain, or the app's own
// host under a platform suffix), the catalogued vendor and category, and whether it is noise or
// the company's own. Matching is the same as the rules': an entry covers itself and every host
// under it, and the most specific (longest) entry wins.
import { hostMatches, normalizeHost, registrableDomain } from './hosts.js';
import { type Catalogs, type DomainCategory, type NoiseKind } from './load.js';
import { shippedCatalogs } from './cache.js';

export interface HostClass {
  host: string;
  /** The egress key, as norm.egress.domain computes it. */
  domain: string;
  vendor?: string;
  category?: DomainCategory;
  /** The catalog entry that matched (e.g. openai.com, vercel.app). */
  catalogDomain?: string;
  /** True when the host is a customer's app under a shared platform suffix: `domain` is that app. */
  platform?: boolean;
  /** True for CDN, update, telemetry, PKI and similar background traffic: never a finding. */
  noise?: boolean;
  noiseKind?: NoiseKind;
  noiseReason?: string;
  /** True for the company's own domains (config `company_domains`). */
  company?: boolean;
}

export interface ClassifyOptions {
  catalogs?: Catalogs;
  companyDomains?: readonly string[];
}

export function classifyHost(rawHost: string, opts: ClassifyOptions = {}): HostClass {
  const catalogs = opts.catalogs ?? shippedCatalogs();
  const host = normalizeHost(rawHost);
  const out: HostClass = { host, domain: registrableDomain(host) };
  const entry = longest(catalogs.domains, host);
  if (entry) {
    out.vendor = entry.vendor;
    out.category = entry.category;
    out.catalogDomain = entry.domain;
    out.platform = entry.platform;
  }
  const noise = longest(catalogs.noise, host);
  if (noise) {
    out.noise = true;
    out.noiseKind = noise.kind;
    out.noiseReason = noise.reason;
  }
  if (opts.companyDomains?.some((d) => hostMatches(host, normalizeHost(d)))) out.company = true;
  return out;
}

/** The most specific entry covering `host` (itself or a parent), or undefined. */
export function longest<T extends { domain: string }>(entries: readonly T[], host: string): T | undefined {
  let best: T | undefined;
  for (const e of entries) if (hostMatches(host, e.domain) && (!best || e.domain.length > best.domain.length)) best = e;
  return best;
}
