// Which registry entry an app or a domain is: by identity key first (provider + app_id,
// case-insensitive), then by domain (the egress key: registrable domain, or an app's host under
// a platform suffix). A name is never a match: similar names only come back as suggestions for
// a person to confirm (DESIGN.md "Registry").
import { normalizeHost, registrableDomain } from '../catalog/hosts.js';
import { editDistance } from '../catalog/yaml-file.js';
import type { RegistryEntry } from './schema.js';

export interface RegistryQuery {
  provider?: string | undefined;
  app_id?: string | undefined;
  /** A host or a domain seen in egress; compared on its registrable domain. */
  domain?: string | undefined;
  /** The app's display name: only ever produces suggestions. */
  name?: string | undefined;
}

export type RegistryMatch =
  | { entry: RegistryEntry; by: 'identity' | 'domain' }
  | { suggestions: RegistryEntry[] };

/** The matching entry, else name-only suggestions, else undefined. */
export function matchRegistry(entries: readonly RegistryEntry[], query: RegistryQuery): RegistryMatch | undefined {
  // Live entries win over retired ones that claimed the same key before them.
  const ordered = [...entries].sort((a, b) => Number(a.status === 'retired') - Number(b.status === 'retired') || a.id.localeCompare(b.id));
  if (query.provider && query.app_id) {
    const provider = query.provider.toLowerCase();
    const appId = query.app_id.trim().toLowerCase();
    const hit = ordered.find((e) => e.identities.some((i) => i.provider === provider && i.app_id.toLowerCase() === appId));
    if (hit) return { entry: hit, by: 'identity' };
  }
  if (query.domain) {
    const host = normalizeHost(query.domain);
    const key = registrableDomain(host);
    const hit = ordered.find((e) => e.domains.some((d) => d === key || d === host));
    if (hit) return { entry: hit, by: 'domain' };
  }
  if (query.name) {
    const suggestions = suggestByName(entries, query.name);
    if (suggestions.length) return { suggestions };
  }
  return undefined;
}

/** Entries whose name or id looks like `name`, best first (at most `limit`). */
export function suggestByName(entries: readonly RegistryEntry[], name: string, limit = 5): RegistryEntry[] {
  return entries
    .map((entry) => ({ entry, score: Math.max(nameSimilarity(name, entry.name), nameSimilarity(name, entry.id)) }))
    .filter((s) => s.score >= SUGGEST_AT)
    .sort((a, b) => b.score - a.score || a.entry.id.localeCompare(b.entry.id))
    .slice(0, limit)
    .map((s) => s.entry);
}

const SUGGEST_AT = 0.6;
/** Words that say nothing about which app it is. */
const FILLER = new Set(['app', 'apps', 'the', 'for', 'and', 'inc', 'llc', 'ltd', 'bot', 'integration', 'connector', 'oauth', 'api', 'client']);

function words(s: string): string[] {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !FILLER.has(w));
}

/** 0..1: how alike two app names are (same words, or nearly the same letters). */
export function nameSimilarity(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return 0;
  const ca = wa.join('');
  const cb = wb.join('');
  if (ca === cb) return 1;
  const sa = new Set(wa);
  const sb = new Set(wb);
  const shared = [...sa].filter((w) => sb.has(w)).length;
  const jaccard = shared / new Set([...sa, ...sb]).size;
  const letters = 1 - editDistance(ca, cb) / Math.max(ca.length, cb.length);
  // "Notion" vs "Notion to Sheets sync": one name's words all inside the other's.
  const contained = shared > 0 && (shared === sa.size || shared === sb.size) && Math.min(ca.length, cb.length) >= 4 ? 0.7 : 0;
  return Math.max(jaccard, letters, contained);
}
