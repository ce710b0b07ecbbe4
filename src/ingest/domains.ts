// Registrable domain of a host, from the public-suffix list including its private section
// (tldts), so each tenant of a hosting platform is its own app: a.vercel.app ≠ b.vercel.app.
// Called once per distinct host, never per log line.
import { parse } from 'tldts';

export function registrableDomain(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  const parsed = parse(h, { allowPrivateDomains: true });
  if (parsed.isIp) return h;
  return parsed.domain ?? h;
}
