// The shipped catalogs: they load, every fact names its source, hosts classify as the rules will
// see them (registrable domain, platform app key, noise), the demo tenant's background traffic
// is noise where it should be, and catalog.* lands in the engine with the documented columns.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROWSING_HOSTS } from '../../fixtures/tenant/catalog.js';
import { generateTenant } from '../../fixtures/tenant/index.js';
import { attachCatalogs, classifyHost, isPlatformSuffix, registrableDomain, shippedCatalogs } from '../../src/catalog/index.js';
import { Duck } from '../../src/db/duck.js';

const catalogs = shippedCatalogs();
const tenant = generateTenant({ seed: 42, size: 'demo', now: Date.parse('2025-06-15T12:00:00Z') });

describe('the shipped catalogs', () => {
  it('are versioned, dated and name their sources', () => {
    for (const info of Object.values(catalogs.files)) {
      expect(info.version).toBeGreaterThanOrEqual(1);
      expect(info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(info.sources.length).toBeGreaterThan(0);
    }
    const ids = (f: keyof typeof catalogs.files) => new Set(catalogs.files[f].sources.map((s) => s.id));
    expect(catalogs.domains.every((d) => ids('domains').has(d.source))).toBe(true);
    expect(catalogs.noise.every((n) => ids('noise').has(n.source))).toBe(true);
    expect(catalogs.firstPartyApps.every((a) => ids('firstPartyApps').has(a.source))).toBe(true);
  });

  it('list Okta\'s built-in apps by name key, including every built-in of the demo tenant', () => {
    const okta = new Set(catalogs.firstPartyApps.filter((a) => a.provider === 'okta').map((a) => a.name));
    for (const name of ['okta_enduser', 'saasure', 'okta_browser_plugin', 'okta_flow_sso', 'flow', 'okta_iwa', 'okta_org2org']) expect(okta).toContain(name);
    for (const app of tenant.firstPartyApps.filter((a) => a.provider === 'okta')) expect(okta).toContain(app.name);
    // Google's own clients are catalogued by client id (the same for every customer).
    const google = new Set(catalogs.firstPartyApps.filter((a) => a.provider === 'google').map((a) => a.app_id));
    for (const app of tenant.firstPartyApps.filter((a) => a.provider === 'google')) expect(google).toContain(app.app_id);
    expect(catalogs.firstPartyApps.find((a) => a.name === 'okta_enduser')?.app_id).toBe('okta.2b1959c8-bcc0-56eb-a589-cfcfb7422f26');
  });

  it('keep every domain entry on an egress key: a registrable domain, or a platform suffix marked as one', () => {
    for (const d of catalogs.domains) {
      if (d.platform) expect(isPlatformSuffix(d.domain), d.domain).toBe(true);
      else expect(registrableDomain(d.domain), d.domain).toBe(d.domain);
    }
  });
});

describe('classifyHost', () => {
  it('an AI API host: its registrable domain, vendor and category', () => {
    expect(classifyHost('api.openai.com')).toMatchObject({ domain: 'openai.com', vendor: 'OpenAI', category: 'ai', catalogDomain: 'openai.com', platform: false });
    expect(classifyHost('api.openai.com').noise).toBeUndefined();
  });

  it('a webhook host of an automation service', () => {
    expect(classifyHost('hooks.zapier.com')).toMatchObject({ domain: 'zapier.com', vendor: 'Zapier', category: 'automation' });
  });

  it('an app on a hosting platform is its own key, flagged as a platform host', () => {
    expect(classifyHost('expense-helper.vercel.app')).toMatchObject({ domain: 'expense-helper.vercel.app', vendor: 'Vercel', category: 'app_hosting', catalogDomain: 'vercel.app', platform: true });
  });

  it('a tunnel endpoint is its own key, category tunnel', () => {
    expect(classifyHost('abc123.ngrok-free.app')).toMatchObject({ domain: 'abc123.ngrok-free.app', vendor: 'ngrok', category: 'tunnel', platform: true });
  });

  it('a CDN host is noise', () => {
    expect(classifyHost('cdn.jsdelivr.net')).toMatchObject({ domain: 'jsdelivr.net', noise: true, noiseKind: 'cdn' });
  });

  it('tells apart hosts on a shared API suffix: Gemini is AI, Google\'s library CDN is noise', () => {
    expect(classifyHost('generativelanguage.googleapis.com')).toMatchObject({ domain: 'generativelanguage.googleapis.com', category: 'ai' });
    expect(classifyHost('generativelanguage.googleapis.com').noise).toBeUndefined();
    expect(classifyHost('ajax.googleapis.com')).toMatchObject({ noise: true });
    expect(classifyHost('ajax.googleapis.com').category).toBeUndefined();
  });

  it('normalises case and a trailing dot, and marks company domains', () => {
    expect(classifyHost('API.OpenAI.com.')).toMatchObject({ host: 'api.openai.com', domain: 'openai.com', category: 'ai' });
    expect(classifyHost('intranet.acme-corp.example', { companyDomains: ['Acme-Corp.example'] })).toMatchObject({ domain: 'acme-corp.example', company: true });
  });

  it('leaves an unknown host unclassified', () => {
    const c = classifyHost('www.example.org');
    expect(c).toEqual({ host: 'www.example.org', domain: 'example.org' });
  });
});

describe('the demo tenant\'s background traffic', () => {
  it('every noise host is noise; no sanctioned SaaS or company host is', () => {
    for (const h of BROWSING_HOSTS) {
      const c = classifyHost(h.host, { companyDomains: tenant.ownDomains });
      expect(c.noise ?? false, `${h.host} (${h.category})`).toBe(h.category === 'noise');
      expect(c.company ?? false, `${h.host} (${h.category})`).toBe(h.category === 'own');
    }
  });

  it('every catalogued sanctioned host is covered by a registry domain of the tenant', () => {
    const registered = new Set(tenant.registry.flatMap((e) => e.domains));
    for (const h of BROWSING_HOSTS.filter((x) => x.category === 'saas')) {
      const c = classifyHost(h.host);
      if (c.category) expect(registered.has(c.domain), `${h.host} → ${c.domain}`).toBe(true);
    }
  });

  it('the planted egress apps are catalogued under their answer-key domain', () => {
    const expected: Record<string, string> = { 'openai.com': 'ai', 'zapier.com': 'automation', 'expense-helper.vercel.app': 'app_hosting', 'abc123.ngrok-free.app': 'tunnel' };
    for (const entry of tenant.answerKey.filter((e) => e.domain && e.domain in expected)) {
      for (const host of entry.hosts ?? []) expect(classifyHost(host), host).toMatchObject({ domain: entry.domain, category: expected[entry.domain!] });
    }
    expect(tenant.answerKey.filter((e) => e.domain && e.domain in expected)).toHaveLength(4);
  });
});

describe('attachCatalogs', () => {
  let engine: Duck;
  beforeEach(async () => {
    engine = await Duck.open(':memory:', { threads: '1' });
  });
  afterEach(() => engine.close());

  const columns = async (table: string) =>
    (await engine.all<{ column_name: string; column_type: string }>(`describe ${table}`)).map((c) => `${c.column_name} ${c.column_type}`);

  it('creates catalog.* with the documented columns and every row', async () => {
    const counts = await attachCatalogs(engine, { companyDomains: ['Acme-Corp.example', 'acme-corp.example'] });
    expect(counts).toEqual({ first_party_apps: catalogs.firstPartyApps.length, first_party_publishers: catalogs.firstPartyPublishers.length, risky_scopes: catalogs.riskyScopes.reduce((n, r) => n + r.capabilities.length, 0), domains: catalogs.domains.length, noise_domains: catalogs.noise.length, company_domains: 1 });
    expect(await columns('catalog.first_party_apps')).toEqual(['provider VARCHAR', 'app_id VARCHAR', 'name VARCHAR', 'source VARCHAR']);
    expect(await columns('catalog.first_party_publishers')).toEqual(['provider VARCHAR', 'publisher_id VARCHAR', 'name VARCHAR', 'source VARCHAR']);
    expect(await engine.all("select name from catalog.first_party_publishers where provider = 'entra' and publisher_id = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'")).toEqual([{ name: 'Microsoft Services' }]);
    expect(await columns('catalog.domains')).toEqual(['domain VARCHAR', 'vendor VARCHAR', 'category VARCHAR', 'source VARCHAR']);
    expect(await columns('catalog.noise_domains')).toEqual(['domain VARCHAR', 'reason VARCHAR']);
    expect(await columns('catalog.company_domains')).toEqual(['domain VARCHAR']);
    expect(await engine.all("select vendor, category from catalog.domains where domain = 'openai.com'")).toEqual([{ vendor: 'OpenAI', category: 'ai' }]);
    expect(await engine.all("select provider, app_id, name from catalog.first_party_apps where name = 'okta_flow_sso'")).toEqual([{ provider: 'okta', app_id: null, name: 'okta_flow_sso' }]);
    expect(await engine.all('select domain from catalog.company_domains')).toEqual([{ domain: 'acme-corp.example' }]);
  });

  it('matches noise in SQL the way classifyHost does (host, or any host under an entry)', async () => {
    await attachCatalogs(engine, { companyDomains: [] });
    for (const h of BROWSING_HOSTS) {
      const [row] = await engine.all<{ noise: boolean }>(
        `select exists (select 1 from catalog.noise_domains n where ? = n.domain or ends_with(?, '.' || n.domain)) as noise`,
        [h.host, h.host],
      );
      expect(row!.noise, h.host).toBe(classifyHost(h.host).noise ?? false);
    }
  });
});
