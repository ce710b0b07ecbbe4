// Every view a rule may read, with its columns: norm.* (src/norm/schema.ts) plus the registry.*
// and catalog.* views fixed in docs/rules-and-findings.md. The loader checks `requires` and test
// inputs against this list; the test runner creates each one as a typed table.
import { sqlIdent, type Duck } from '../db/duck.js';
import { normViews } from '../norm/schema.js';

export type ViewColumns = Readonly<Record<string, string>>;

export const registryViews = {
  'registry.apps': {
    registry_id: 'VARCHAR', name: 'VARCHAR', owner: 'VARCHAR', purpose: 'VARCHAR', status: 'VARCHAR',
    data_classification: 'VARCHAR', approved_scopes: 'VARCHAR[]', review_by: 'DATE', file: 'VARCHAR',
  },
  'registry.identities': { registry_id: 'VARCHAR', provider: 'VARCHAR', app_id: 'VARCHAR' },
  'registry.domains': { registry_id: 'VARCHAR', domain: 'VARCHAR' },
} as const satisfies Record<string, ViewColumns>;

export const catalogViews = {
  'catalog.first_party_apps': { provider: 'VARCHAR', app_id: 'VARCHAR', name: 'VARCHAR', source: 'VARCHAR' },
  'catalog.first_party_publishers': { provider: 'VARCHAR', publisher_id: 'VARCHAR', name: 'VARCHAR', source: 'VARCHAR' },
  'catalog.risky_scopes': {
    provider: 'VARCHAR', resource: 'VARCHAR', scope: 'VARCHAR', permission_type: 'VARCHAR', capability: 'VARCHAR', severity: 'VARCHAR', source: 'VARCHAR',
  },
  'catalog.domains': { domain: 'VARCHAR', vendor: 'VARCHAR', category: 'VARCHAR', source: 'VARCHAR' },
  'catalog.noise_domains': { domain: 'VARCHAR', reason: 'VARCHAR' },
  'catalog.company_domains': { domain: 'VARCHAR' },
} as const satisfies Record<string, ViewColumns>;

/** Qualified view name (e.g. "norm.grants") → columns and DuckDB types. */
export const ruleViews: Readonly<Record<string, ViewColumns>> = {
  ...Object.fromEntries(Object.entries(normViews).map(([name, def]) => [`norm.${name}`, def.columns])),
  ...registryViews,
  ...catalogViews,
};

export const ruleViewNames = Object.keys(ruleViews);

/** Only norm views are fed by sources; registry and catalog are local data, always complete. */
export function isSourceView(view: string): boolean {
  return view.startsWith('norm.');
}

/** Splits "schema.name" into quoted identifiers. */
export function qualifiedIdent(view: string): string {
  const [schema, name, ...rest] = view.split('.');
  if (!schema || !name || rest.length) throw new Error(`not a schema-qualified view name: ${JSON.stringify(view)}`);
  return `${sqlIdent(schema)}.${sqlIdent(name)}`;
}

/**
 * Creates each named view as an empty typed TABLE (tests) or VIEW (`where false`, runtime
 * fallback when the registry/catalog modules are not available), replacing what exists.
 */
export async function createEmptyViews(engine: Duck, views: readonly string[], kind: 'table' | 'view'): Promise<void> {
  for (const view of views) {
    const columns = ruleViews[view];
    if (!columns) throw new Error(`unknown rule view ${view}`);
    await engine.run(`create schema if not exists ${sqlIdent(view.split('.')[0]!)}`);
    if (kind === 'table') {
      const cols = Object.entries(columns).map(([c, t]) => `${sqlIdent(c)} ${t}`).join(', ');
      await engine.run(`create or replace table ${qualifiedIdent(view)} (${cols})`);
    } else {
      const cols = Object.entries(columns).map(([c, t]) => `cast(null as ${t}) as ${sqlIdent(c)}`).join(', ');
      await engine.run(`create or replace view ${qualifiedIdent(view)} as select ${cols} where false`);
    }
  }
}
