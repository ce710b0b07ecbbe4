// registry.* and catalog.* for `rules run`: the real modules when present (loaded lazily), typed
// empty views when absent, and a loud error when a present module breaks the contract.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Duck } from '../../src/db/duck.js';
import { attachCatalogViews, attachRegistryViews } from '../../src/rules/attach.js';

let engine: Duck;
beforeEach(async () => {
  engine = await Duck.open(':memory:', { threads: '1' });
});
afterEach(() => engine.close());

const columns = async (view: string) =>
  (await engine.all<{ column_name: string; column_type: string }>(`describe ${view}`)).map((c) => `${c.column_name} ${c.column_type}`);

describe('attachRegistryViews / attachCatalogViews', () => {
  it('create empty typed views when the module does not exist', async () => {
    expect(await attachRegistryViews(engine, '/reg', new URL('./modules/no-such-registry.js', import.meta.url).href)).toBe('empty');
    expect(await attachCatalogViews(engine, ['acme.example'], new URL('./modules/no-such-catalog.js', import.meta.url).href)).toBe('empty');
    expect(await columns('registry.apps')).toEqual([
      'registry_id VARCHAR', 'name VARCHAR', 'owner VARCHAR', 'purpose VARCHAR', 'status VARCHAR', 'data_classification VARCHAR',
      'approved_scopes VARCHAR[]', 'review_by DATE', 'file VARCHAR',
    ]);
    expect(await columns('catalog.domains')).toEqual(['domain VARCHAR', 'vendor VARCHAR', 'category VARCHAR', 'source VARCHAR']);
    expect(await engine.all('select * from registry.identities')).toEqual([]);
    expect(await engine.all('select * from catalog.company_domains')).toEqual([]);
  });

  it('load the registry from its folder through the module when it exists', async () => {
    expect(await attachRegistryViews(engine, '/work/registry', new URL('./modules/fake-registry.ts', import.meta.url).href)).toBe('attached');
    expect(await engine.all('select registry_id, file from registry.apps')).toEqual([{ registry_id: 'slack', file: '/work/registry' }]);
  });

  it('fail loudly when a present module does not export the contract', async () => {
    await expect(attachCatalogViews(engine, [], new URL('./modules/incomplete-catalog.ts', import.meta.url).href)).rejects.toThrow(/does not export attachCatalogs/);
  });
});

describe('a present module whose own import fails', () => {
  it('is an error, not an absent module', async () => {
    const e = await Duck.open(':memory:', {});
    try {
      await expect(attachRegistryViews(e, '/reg', new URL('./modules/broken-registry.ts', import.meta.url).href)).rejects.toThrow(/no-such-dependency/);
    } finally {
      e.close();
    }
  });
});
