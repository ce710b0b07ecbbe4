// Stands in for src/registry in the attach test: the contract's loadRegistry + attachRegistry.
import type { Duck } from '../../../src/db/duck.js';

export function loadRegistry(dir: string): { id: string; dir: string }[] {
  return [{ id: 'slack', dir }];
}

export async function attachRegistry(engine: Duck, entries: { id: string; dir: string }[]): Promise<void> {
  await engine.run('create schema if not exists registry');
  await engine.run('create or replace table registry.apps as select ? as registry_id, ? as file', [entries[0]!.id, entries[0]!.dir]);
}
