// Host-name helpers shared by the catalogs and the registry: shape checks, normalisation and the
// one matching rule every domain list uses ("an entry matches itself and every host under it").
import { parse } from 'tldts';
import { registrableDomain } from '../ingest/domains.js';

export { registrableDomain };

/** RFC 1123 host name: dot-separated labels of a-z, 0-9 and inner hyphens; at least two labels. */
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-case, trimmed, without a trailing dot. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

/** Why `value` (already normalised) is not a host name, or undefined when it is one. */
export function hostnameProblem(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(value)) return 'a host name, not a URL (drop the scheme and path)';
  if (/[/:?#@\s]/.test(value)) return 'a host name only (no path, port, query or spaces)';
  if (value.startsWith('*.')) return 'no wildcards: an entry already covers every host under it';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return 'a host name, not an IP address';
  if (!HOSTNAME.test(value)) return 'does not look like a host name (e.g. example.com)';
  // `com` or `co.uk` would match half the internet.
  if (parse(value, { allowPrivateDomains: false }).domain === null) return 'is a public suffix (such as com or co.uk), not a domain';
  return undefined;
}

/** True when `host` is `entry` or a host under it (both normalised). */
export function hostMatches(host: string, entry: string): boolean {
  return host === entry || host.endsWith(`.${entry}`);
}

/**
 * True when every direct child of `suffix` is its own registrable domain (public-suffix list,
 * private section): `vercel.app` → `a.vercel.app` and `b.vercel.app` are different apps.
 */
export function isPlatformSuffix(suffix: string): boolean {
  const probe = `probe-0.${suffix}`;
  return registrableDomain(probe) === probe;
}
