// Exposes the catalogs to rules as typed tables in an engine: catalog.first_party_apps,
// catalog.first_party_publishers, catalog.risky_scopes, catalog.domains, catalog.noise_domains, catalog.company_domains (docs/rules-and-findings.md).
import type { Duck } from '../db/duck.js';
import { normalizeHost } from './hosts.js';
import { type Catalogs } from './load.js';
import { shippedCatalogs } from './cache.js';
import { insertStringRows } from './stage.js';

export const catalogTables = {
  first_party_apps: { provider: 'VARCHAR', app_id: 'VARCHAR', name: 'VARCHAR', source: 'VARCHAR' },
  first_party_publishers: { provider: 'VARCHAR', publisher_id: 'VARCHAR', name: 'VARCHAR', source: 'VARCHAR' },
  risky_scopes: {
    provider: 'VARCHAR', resource: 'VARCHAR', scope: 'VARCHAR', permission_type: 'VARCHAR', capability: 'VARCHAR', severity: 'VARCHAR', source: 'VARCHAR',
  },
  domains: { domain: 'VARCHAR', vendor: 'VARCHAR', category: 'VARCHAR', source: 'VARCHAR' },
  noise_domains: { domain: 'VARCHAR', reason: 'VARCHAR' },
  company_domains: { domain: 'VARCHAR' },
} as const;

export interface AttachCatalogsOptions {
  companyDomains: readonly string[];
  /** Defaults to the shipped catalogs/ folder. */
  catalogs?: Catalogs;
  /** The company's own additions from config (`catalog.domains`): vendors the shipped list lacks. */
  extraDomains?: readonly { domain: string; vendor: string; category: string }[];
}

export interface AttachedCatalogs {
  first_party_apps: number;
  first_party_publishers: number;
  risky_scopes: number;
  domains: number;
  noise_domains: number;
  company_domains: number;
}

export async function attachCatalogs(engine: Duck, opts: AttachCatalogsOptions): Promise<AttachedCatalogs> {
  const catalogs = opts.catalogs ?? shippedCatalogs();
  const company = [...new Set(opts.companyDomains.map(normalizeHost))];
  const rows: Record<keyof typeof catalogTables, (string | null)[][]> = {
    first_party_apps: catalogs.firstPartyApps.map((a) => [a.provider, a.app_id, a.name, a.source]),
    first_party_publishers: catalogs.firstPartyPublishers.map((p) => [p.provider, p.publisher_id, p.name, p.source]),
    // One row per scope and capability class.
    risky_scopes: catalogs.riskyScopes.flatMap((r) => r.capabilities.map((c) => [r.provider, r.resource, r.scope, r.permission_type, c, r.severity, r.source])),
    domains: [
      ...catalogs.domains.map((d) => [d.domain, d.vendor, d.category, d.source]),
      ...(opts.extraDomains ?? []).map((d) => [normalizeHost(d.domain), d.vendor, d.category, 'config']),
    ],
    noise_domains: catalogs.noise.map((n) => [n.domain, n.reason]),
    company_domains: company.map((d) => [d]),
  };
  await engine.run('create schema if not exists catalog');
  for (const [table, columns] of Object.entries(catalogTables) as [keyof typeof catalogTables, Record<string, string>][]) {
    // Column names are constants above, never input.
    await engine.run(`create or replace table catalog.${table} (${Object.entries(columns).map(([c, t]) => `${c} ${t}`).join(', ')})`);
    await insertStringRows(engine, `catalog.${table}`, columns, rows[table]);
  }
  return {
    first_party_apps: rows.first_party_apps.length,
    first_party_publishers: rows.first_party_publishers.length,
    risky_scopes: rows.risky_scopes.length,
    domains: rows.domains.length,
    noise_domains: rows.noise_domains.length,
    company_domains: rows.company_domains.length,
  };
}
