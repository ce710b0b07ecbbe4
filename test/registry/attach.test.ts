// registry.* as rules see it: typed tables with the columns of docs/rules-and-findings.md, lists
// in their written order, dates as DATE, and present (empty) with no entries.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Duck } from '../../src/db/duck.js';
import { attachRegistry, type RegistryEntry } from '../../src/registry/index.js';

let engine: Duck;
beforeEach(async () => {
  engine = await Duck.open(':memory:', { threads: '1' });
});
afterEach(() => engine.close());

const columns = async (table: string) =>
  (await engine.all<{ column_name: string; column_type: string }>(`describe ${table}`)).map((c) => `${c.column_name} ${c.column_type}`);

const hr: RegistryEntry = {
  id: 'hr-directory-sync', name: 'HR Directory Sync', owner: 'people-ops@acme.example', purpose: 'Sync HR to Okta',
  data_classification: 'confidential', identities: [{ provider: 'okta', app_id: '0oaHR1' }], domains: [],
  third_party_services: [], approved_scopes: ['okta.users.read', 'okta.groups.read'], review_by: '2026-01-31',
  status: 'approved', file: `${process.cwd()}/registry/hr.yaml`, line: 1,
};
const slack: RegistryEntry = {
  id: 'slack', name: 'Slack', identities: [{ provider: 'okta', app_id: '0oaSL' }, { provider: 'entra', app_id: 'ABC-123' }],
  domains: ['slack.com', 'slack-edge.com'], third_party_services: [], approved_scopes: [], status: 'pending', file: '/elsewhere/slack.yaml', line: 3,
};

describe('attachRegistry', () => {
  it('creates the three tables with their documented types even when the registry is empty', async () => {
    expect(await attachRegistry(engine, [])).toEqual({ apps: 0, identities: 0, domains: 0 });
    expect(await columns('registry.apps')).toEqual([
      'registry_id VARCHAR', 'name VARCHAR', 'owner VARCHAR', 'purpose VARCHAR', 'status VARCHAR', 'data_classification VARCHAR',
      'approved_scopes VARCHAR[]', 'review_by DATE', 'file VARCHAR',
    ]);
    expect(await columns('registry.identities')).toEqual(['registry_id VARCHAR', 'provider VARCHAR', 'app_id VARCHAR']);
    expect(await columns('registry.domains')).toEqual(['registry_id VARCHAR', 'domain VARCHAR']);
    expect(await engine.all('select count(*)::int as n from registry.apps')).toEqual([{ n: 0 }]);
  });

  it('loads every entry, identity and domain', async () => {
    expect(await attachRegistry(engine, [hr, slack])).toEqual({ apps: 2, identities: 3, domains: 2 });
    expect(await engine.all(`select registry_id, owner, status, data_classification, approved_scopes, strftime(review_by, '%Y-%m-%d') as review_by, file
                               from registry.apps order by registry_id`)).toEqual([
      { registry_id: 'hr-directory-sync', owner: 'people-ops@acme.example', status: 'approved', data_classification: 'confidential', approved_scopes: ['okta.users.read', 'okta.groups.read'], review_by: '2026-01-31', file: 'registry/hr.yaml' },
      { registry_id: 'slack', owner: null, status: 'pending', data_classification: null, approved_scopes: [], review_by: null, file: '/elsewhere/slack.yaml' },
    ]);
    expect(await engine.all('select * from registry.identities order by registry_id, provider')).toEqual([
      { registry_id: 'hr-directory-sync', provider: 'okta', app_id: '0oaHR1' },
      { registry_id: 'slack', provider: 'entra', app_id: 'ABC-123' },
      { registry_id: 'slack', provider: 'okta', app_id: '0oaSL' },
    ]);
    expect(await engine.all('select * from registry.domains order by domain')).toEqual([
      { registry_id: 'slack', domain: 'slack-edge.com' },
      { registry_id: 'slack', domain: 'slack.com' },
    ]);
  });

  it('replaces what an earlier attach put there and leaves no scratch tables behind', async () => {
    await attachRegistry(engine, [hr, slack]);
    await attachRegistry(engine, [slack]);
    expect(await engine.all('select registry_id from registry.apps')).toEqual([{ registry_id: 'slack' }]);
    expect(await engine.all("select table_name from information_schema.tables where table_schema = 'main'")).toEqual([]);
  });
});
