// The built-in rules against the synthetic demo tenant (fixtures/tenant/README.md, answer key):
// a real scan of the Okta emulator and the tenant's Squid log, then the rules over the lake with
// the tenant's registry and a stand-in catalog. Every planted app alarms under its expected rule,
// and nothing else does — no registered, first-party, noise or company traffic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { oktaConnector } from '../../connectors/okta/index.js';
import { squidConnector } from '../../connectors/squid/index.js';
import { BROWSING_HOSTS, CATALOG_APPS } from '../../fixtures/tenant/catalog.js';
import { shippedCatalogs } from '../../src/catalog/index.js';
import { Duck } from '../../src/db/duck.js';
import { loadRules } from '../../src/rules/load.js';
import type { RuleResult, TestValue } from '../../src/rules/model.js';
import { runRules } from '../../src/rules/run.js';
import { readSyncFacts, sourceStatus } from '../../src/rules/sources.js';
import { insertRows } from '../../src/rules/test.js';
import { createEmptyViews, catalogViews, registryViews } from '../../src/rules/views.js';
import { attachLake } from '../../src/store/lake.js';
import { dataPaths } from '../../src/store/paths.js';
import { tempDir } from '../helpers/cli.js';
import { scan, startWorld, writeOktaConfig, type OktaWorld } from '../helpers/okta.js';

let world: OktaWorld;
const tmp = tempDir('shadowscan-answer-key-');
let results: RuleResult[];

/** Stand-in for catalog.domains until src/catalog lands: the tenant's SaaS plus the planted services. */
const CATALOG_DOMAINS: [string, string, string][] = [
  ...CATALOG_APPS.flatMap((a) => a.domains.map((d): [string, string, string] => [d, a.label, 'saas'])),
  ['openai.com', 'OpenAI', 'ai'],
  ['minutesbot.ai', 'MinutesBot', 'ai'],
  ['zapier.com', 'Zapier', 'automation'],
  ['vercel.app', 'Vercel', 'app_hosting'],
  ['ngrok-free.app', 'ngrok', 'tunnel'],
  ['dropbox.com', 'Dropbox', 'file_sharing'],
];

beforeAll(async () => {
  world = await startWorld();
  const config = writeOktaConfig(tmp.dir, world.emu.url);
  const log = join(tmp.dir, 'squid', 'access.log');
  mkdirSync(join(tmp.dir, 'squid'));
  writeFileSync(log, [...world.tenant.squid].map((l) => `${l}\n`).join(''));
  const parsed = parse(readFileSync(config, 'utf8')) as { instances: Record<string, unknown> };
  parsed.instances['proxy-hq'] = { type: 'squid', paths: [log] };
  writeFileSync(config, stringify(parsed));
  const scanned = await scan(tmp.dir, world.env);
  expect(scanned.code, scanned.stderr).toBe(0);

  const paths = dataPaths(join(tmp.dir, '.shadowscan'));
  const engine = await Duck.open(':memory:', { threads: '2', memory_limit: '512MB' });
  try {
    await attachLake(engine, paths);
    await createEmptyViews(engine, [...Object.keys(registryViews), ...Object.keys(catalogViews)], 'table');
    const t = world.tenant;
    const rows = (xs: Record<string, TestValue>[]) => xs;
    await insertRows(engine, 'registry.apps', rows(t.registry.map((e) => ({ registry_id: e.id, name: e.name, owner: e.owner, purpose: e.purpose, status: e.status, approved_scopes: e.approved_scopes }))));
    await insertRows(engine, 'registry.identities', rows(t.registry.flatMap((e) => e.identities.map((i) => ({ registry_id: e.id, provider: i.provider, app_id: i.app_id })))));
    await insertRows(engine, 'registry.domains', rows(t.registry.flatMap((e) => e.domains.map((d) => ({ registry_id: e.id, domain: d })))));
    // Okta built-ins are catalogued by their name key (their 0oa ids differ per org).
    await insertRows(engine, 'catalog.first_party_apps', rows(t.firstPartyApps.map((a) => ({ provider: 'okta', app_id: a.name, name: a.label, source: 'okta built-in apps' }))));
    await insertRows(engine, 'catalog.domains', rows(CATALOG_DOMAINS.map(([domain, vendor, category]) => ({ domain, vendor, category, source: 'test' }))));
    await insertRows(engine, 'catalog.noise_domains', rows(BROWSING_HOSTS.filter((h) => h.category === 'noise').map((h) => ({ domain: h.host, reason: 'background' }))));
    await insertRows(engine, 'catalog.company_domains', rows(t.ownDomains.map((domain) => ({ domain }))));
    // The shipped risky-scope catalog: the registered apps' okta.*.read grants are approved, the
    // users' offline_access consents are low (info), the planted okta.users.manage alarms.
    await insertRows(engine, 'catalog.risky_scopes', rows(shippedCatalogs().riskyScopes.flatMap((r) => r.capabilities.map((capability) => ({
      provider: r.provider, resource: r.resource, scope: r.scope, permission_type: r.permission_type, capability, severity: r.severity, source: r.source,
    })))));
    const sources = sourceStatus({ syncs: await readSyncFacts(paths), connectors: [oktaConnector, squidConnector], instances: { 'okta-prod': 'okta', 'proxy-hq': 'squid' } });
    expect(sources.every((s) => s.state === 'complete')).toBe(true);
    results = await runRules(engine, loadRules(), { sources });
  } finally {
    engine.close();
  }
}, 120_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

describe('built-in rules on the demo tenant', () => {
  it('alarm on exactly the planted apps, each under its expected rule(s)', () => {
    // This scan covers Okta and the proxy log; Google's planted apps are checked by test/google/scan.test.ts.
    const expected = world.tenant.answerKey.filter((a) => a.provider !== 'google').flatMap((a) => {
      const keys: string[] = [];
      for (const rule of [a.expected_rule, ...(a.also_expected ?? [])]) {
        if (rule === 'unregistered-app') keys.push(`unregistered-app okta-prod ${a.app_id}`);
        if (rule === 'over-scoped-grant') keys.push(`over-scoped-grant okta-prod ${a.app_id}:*`);
        if (rule === 'risky-scope-grant') keys.push(`risky-scope-grant okta-prod ${a.app_id}:*`);
        if (rule === 'unregistered-egress') keys.push(`unregistered-egress proxy-hq ${a.domain}`);
      }
      return keys;
    });
    expect(expected).toHaveLength(9);
    const alarms = results.filter((r) => r.status === 'alarm').map((r) => `${r.rule_id} ${r.instance} ${r.resource}`);
    expect(alarms.sort()).toEqual(expected.sort());
  });

  it('judge every other granted app ok (registered or first-party) and skip nothing', () => {
    expect(results.filter((r) => r.status === 'skip')).toEqual([]);
    const apps = results.filter((r) => r.rule_id === 'unregistered-app' && r.status === 'ok');
    expect(apps.length).toBeGreaterThan(5);
    const firstParty = new Set(world.tenant.firstPartyApps.map((a) => a.app_id));
    for (const r of apps) expect(r.reason).toMatch(firstParty.has(r.resource) ? /^first-party app of okta$/ : /^registered as /);
  });

  it('give the evidence a person needs: principals and scopes, the extra scope, users and traffic', () => {
    const find = (rule: string, resource: string) => results.find((r) => r.rule_id === rule && r.resource === resource)!;
    const key = (id: string) => world.tenant.answerKey.find((a) => a.id === id)!;
    const minutes = key('minutesbot-ai');
    expect(find('unregistered-app', minutes.app_id!).evidence).toMatchObject({ app_name: 'MinutesBot AI', principals: minutes.people.length, scopes: expect.arrayContaining(['openid']) });
    expect(find('over-scoped-grant', `${key('hr-directory-sync-overscoped').app_id}:*`).evidence).toMatchObject({ extra_scopes: ['okta.users.manage'], registry_id: 'hr-directory-sync' });
    const openai = find('unregistered-egress', 'openai.com').evidence;
    expect(openai).toMatchObject({ vendor: 'OpenAI', category: 'ai', users: key('openai-team-script').people.length, hosts: ['api.openai.com'] });
    expect(openai.requests as number).toBeGreaterThan(90);
  });
});
