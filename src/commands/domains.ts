// `shadowscan domains show <host>`: how one host is classified — its egress key and why, the
// platform suffix, the catalog vendor/category and the entry's source, noise, company domain,
// the registry entry that approves it — and what unregistered-egress does with it.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { explainHost, type HostExplanation } from '../catalog/explain.js';
import { hostnameProblem, normalizeHost } from '../catalog/hosts.js';
import { shippedCatalogs } from '../catalog/cache.js';
import { shownPath } from '../catalog/yaml-file.js';
import { createContext } from '../context.js';
import { UserError } from '../errors.js';
import { terminalSafe } from '../output/render.js';
import { loadRegistry, registryDir } from '../registry/index.js';
import { globals } from './common.js';

export function domainsCommand(): Command {
  const cmd = new Command('domains').description('domain intelligence: explain how a host seen in egress is classified');
  const show = new Command('show')
    .description('explain one host: egress key and why, platform suffix, catalog vendor/category and source, noise, company domain, registry entry')
    .argument('<host>', 'a host name (a URL is accepted: its host is used)')
    .addHelpText('after', `
The egress key is what findings are keyed on: the registrable domain (api.openai.com → openai.com),
or, under a shared hosting or tunnel suffix, the app's own host (foo.vercel.app ≠ bar.vercel.app).

Examples:
  shadowscan domains show chat.openai.com
  shadowscan domains show expense-helper.vercel.app --json
  shadowscan domains show https://hooks.zapier.com/hooks/catch/123/abc`)
    .action((raw: string, _opts: unknown, c: Command) => {
      const ctx = createContext(globals(c));
      const host = hostArgument(raw);
      const config = ctx.loaded.config;
      const dir = registryDir(ctx.loaded);
      const x = explainHost(host, {
        catalogs: shippedCatalogs(),
        extraDomains: config.catalog.domains,
        companyDomains: config.company_domains,
        registry: existsSync(dir) ? loadRegistry(dir) : undefined,
        minUsers: config.rules.thresholds.egress_min_users ?? 1,
      });
      if (ctx.json) {
        const out = { ...x, registry: { ...x.registry, dir: shownPath(dir), entry: x.registry.entry && { ...x.registry.entry, file: shownPath(x.registry.entry.file) } } };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      process.stdout.write(render(x, shownPath(dir)));
    });
  cmd.addCommand(show.exitOverride());
  return cmd;
}

/** The host of a URL, or the argument itself; refused unless it is a host name or an IP address. */
export function hostArgument(raw: string): string {
  let value = raw.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      value = new URL(value).hostname.replace(/^\[|\]$/g, '');
    } catch {
      throw new UserError(`not a URL or host name: ${JSON.stringify(terminalSafe(raw, 200))}`, { hint: 'give a host such as api.openai.com' });
    }
  }
  const host = normalizeHost(value);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
  const problem = hostnameProblem(host);
  // A bare public suffix (vercel.app, com) is still worth explaining; shape problems are not.
  if (problem && !/public suffix/.test(problem)) {
    throw new UserError(`${JSON.stringify(terminalSafe(raw, 200))}: ${problem}`, { hint: 'give a host such as api.openai.com or foo.vercel.app' });
  }
  return host;
}

function render(x: HostExplanation, registryDirShown: string): string {
  const rows: [string, string][] = [
    ['host', x.host],
    ['egress key', x.domain],
    ['why', x.key.text],
    ['platform suffix', x.key.platform_suffix ?? '-'],
    ['catalog', x.catalog ? `${x.catalog.vendor} (${x.catalog.category}) via entry ${x.catalog.domain}${x.catalog.platform ? ' [platform]' : ''}` : 'not catalogued'],
    ['catalog source', x.catalog ? `${x.catalog.source.id}: ${x.catalog.source.title}${x.catalog.source.url ? ` <${x.catalog.source.url}>` : ''}` : '-'],
    ['noise', x.noise ? `${x.noise.reason} via entry ${x.noise.domain} (source ${x.noise.source.id})` : 'no'],
    ['company domain', x.company ? `yes (${x.company.domain})` : 'no'],
    ['registry', !x.registry.checked ? `no registry folder ${registryDirShown} (config registry.dir)`
      : x.registry.entry ? `approved by ${x.registry.entry.id} (${x.registry.entry.status}) via ${x.registry.entry.domain} in ${shownPath(x.registry.entry.file)}`
        : `no entry names ${x.domain}${x.registry.retired.length ? ` (retired: ${x.registry.retired.join(', ')})` : ''}`],
    ['verdict', x.verdict.text],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${terminalSafe(v)}\n`).join('');
}
