// Registrable domain of a host, from the public-suffix list including its private section
// (tldts), so each tenant of a hosting platform is its own app: a.vercel.app ≠ b.vercel.app.
// A few hosting and tunnel services the list does not split are added below, so their customers
// are split the same way. Called once per distinct host, never per log line.
import { getDomain } from 'tldts';

/**
 * Shared hosting/tunnel suffixes missing from the public-suffix list (checked against the bundled
 * tldts copy) under which every host is a different customer's app or tunnel, as each vendor's
 * docs show it: <project>.glitch.me, <id>.loca.lt, <id>.lhr.life, <hash>.gradio.live, … The
 * catalog marks each `platform: true` (catalogs/domains.yaml); the registry, the rules and
 * `domains show` see the same keys because they all call registrableDomain.
 */
export const EXTRA_PLATFORM_SUFFIXES: ReadonlySet<string> = new Set([
  // app hosting
  'glitch.me', 'koyeb.app', 'modal.run', 'neocities.org', 'glide.page', 'softr.app', 'adaptable.app',
  'sevalla.app', 'kinsta.app', 'anvil.app',
  // tunnels
  'loca.lt', 'serveo.net', 'serveousercontent.com', 'localhost.run', 'lhr.life', 'gradio.live',
  'share.zrok.io', 'sharedwithexpose.com', 'pagekite.me', 'app.github.dev',
]);

export function registrableDomain(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  // getDomain is null for an IP address (and for a bare suffix): the host is then its own key.
  // It does a third of parse()'s work, which matters for logs with many distinct hosts.
  const domain = getDomain(h, { allowPrivateDomains: true });
  if (domain === null) return h;
  return extraPlatformApp(h) ?? domain;
}

/** `x.glitch.me` for `a.x.glitch.me` (the most specific listed suffix wins); undefined otherwise. */
function extraPlatformApp(h: string): string | undefined {
  // Longest suffix first: walk label boundaries from the left; the label before a match is the app.
  for (let dot = h.indexOf('.'), start = 0; dot >= 0; start = dot + 1, dot = h.indexOf('.', start)) {
    if (EXTRA_PLATFORM_SUFFIXES.has(h.slice(dot + 1))) return h.slice(start);
  }
  return undefined;
}
