// Exposes the registry to rules as typed tables (docs/rules-and-findings.md): registry.apps,
// registry.identities and registry.domains, present (and empty) even with no entries.
import type { Duck } from '../db/duck.js';
import { insertStringRows } from '../catalog/stage.js';
import { shownPath } from '../catalog/yaml-file.js';
import type { RegistryEntry } from './schema.js';

export const registryTables = {
  apps: {
    registry_id: 'VARCHAR', name: 'VARCHAR', owner: 'VARCHAR', purpose: 'VARCHAR', status: 'VARCHAR',
    data_classification: 'VARCHAR', approved_scopes: 'VARCHAR[]', review_by: 'DATE', file: 'VARCHAR',
  },
  identities: { registry_id: 'VARCHAR', provider: 'VARCHAR', app_id: 'VARCHAR' },
  domains: { registry_id: 'VARCHAR', domain: 'VARCHAR' },
} as const;

export interface AttachedRegistry {
  apps: number;
  identities: number;
  domains: number;
}

export async function attachRegistry(engine: Duck, entries: readonly RegistryEntry[]): Promise<AttachedRegistry> {
  await engine.run('create schema if not exists registry');
  for (const [table, columns] of Object.entries(registryTables)) {
    // Names and types are the constants above, never input.
    const cols = Object.entries(columns).map(([c, t]) => `${c} ${t}${t.endsWith('[]') ? ` not null default []::${t}` : ''}`);
    await engine.run(`create or replace table registry.${table} (${cols.join(', ')})`);
  }
  const { approved_scopes: _lists, ...scalarColumns } = registryTables.apps;
  await insertStringRows(
    engine,
    'registry.apps',
    scalarColumns,
    entries.map((e) => [e.id, e.name, e.owner ?? null, e.purpose ?? null, e.status, e.data_classification ?? null, e.review_by ?? null, shownPath(e.file)]),
  );
  // Lists go in as one row per element and are aggregated in order (the appender takes strings).
  const scopeRows = entries.flatMap((e) => e.approved_scopes.map((scope, i) => [e.id, String(i), scope]));
  if (scopeRows.length) {
    const scratch = `_shadowscan_registry_scopes_${process.pid}`;
    await engine.run(`create or replace table main.${scratch} (registry_id VARCHAR, ord INTEGER, scope VARCHAR)`);
    try {
      await insertStringRows(engine, `main.${scratch}`, { registry_id: 'VARCHAR', ord: 'INTEGER', scope: 'VARCHAR' }, scopeRows);
      await engine.run(`update registry.apps as a set approved_scopes = s.scopes
                          from (select registry_id, list(scope order by ord) as scopes from main.${scratch} group by registry_id) as s
                         where a.registry_id = s.registry_id`);
    } finally {
      await engine.run(`drop table if exists main.${scratch}`);
    }
  }
  const identities = entries.flatMap((e) => e.identities.map((i) => [e.id, i.provider, i.app_id]));
  const domains = entries.flatMap((e) => e.domains.map((d) => [e.id, d]));
  await insertStringRows(engine, 'registry.identities', registryTables.identities, identities);
  await insertStringRows(engine, 'registry.domains', registryTables.domains, domains);
  return { apps: entries.length, identities: identities.length, domains: domains.length };
}
