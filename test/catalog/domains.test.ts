// Domain intelligence: every hosting/tunnel platform host is its own app — identically at ingest
// (src/ingest/domains.ts, what norm.egress.domain holds) and in classification — whether the
// public-suffix list splits the platform or shadowscan's own list does; vendors roll hosts up
// (api.openai.com and chat.openai.com are one AI vendor); noise never reaches a finding; and
// explainHost says why, with the catalog entry's source and the approving registry entry.
import { afterEach, describe, expect, it } from 'vitest';
import { attachCatalogs, classifyHost, explainHost, isPlatformSuffix, shippedCatalogs } from '../../src/catalog/index.js';
import type { Duck } from '../../src/db/duck.js';
import { EXTRA_PLATFORM_SUFFIXES, registrableDomain } from '../../src/ingest/domains.js';
import { loadRules } from '../../src/rules/load.js';
import { runRule } from '../../src/rules/run.js';
import { engineWithRows } from '../../src/rules/test.js';

const catalogs = shippedCatalogs();

/** The platforms issue 8 names, and the category each must have. */
const PLATFORMS: [string, string][] = [
  ['vercel.app', 'app_hosting'], ['ngrok-free.app', 'tunnel'], ['pages.dev', 'app_hosting'], ['workers.dev', 'app_hosting'],
  ['herokuapp.com', 'app_hosting'], ['replit.app', 'app_hosting'], ['glitch.me', 'app_hosting'], ['azurewebsites.net', 'app_hosting'],
  ['web.app', 'app_hosting'], ['netlify.app', 'app_hosting'], ['onrender.com', 'app_hosting'], ['fly.dev', 'app_hosting'],
  ['up.railway.app', 'app_hosting'], ['github.io', 'app_hosting'], ['trycloudflare.com', 'tunnel'], ['loca.lt', 'tunnel'],
  ['lhr.life', 'tunnel'], ['gradio.live', 'tunnel'], ['app.github.dev', 'tunnel'], ['koyeb.app', 'app_hosting'], ['modal.run', 'app_hosting'],
];

describe('platform hosts are each their own app', () => {
  it.each(PLATFORMS)('%s: foo.<suffix> and bar.<suffix> are different keys at ingest and in classification', (suffix, category) => {
    const foo = `foo.${suffix}`;
    const bar = `bar.${suffix}`;
    expect(registrableDomain(foo)).toBe(foo);
    expect(registrableDomain(`deep.api.${foo}`)).toBe(foo);
    expect(registrableDomain(bar)).toBe(bar);
    for (const h of [foo, bar]) expect(classifyHost(h)).toMatchObject({ domain: h, catalogDomain: suffix, platform: true, category });
  });

  it('covers every suffix of shadowscan\'s own list with a platform catalog entry', () => {
    for (const s of EXTRA_PLATFORM_SUFFIXES) {
      expect(isPlatformSuffix(s), s).toBe(true);
      expect(catalogs.domains.find((d) => d.domain === s), s).toMatchObject({ platform: true, source: 'platform-list' });
    }
    // …and only for what the public-suffix list lacks: a suffix the list already splits would be listed twice.
    for (const d of catalogs.domains.filter((x) => x.source === 'platform-list')) expect(EXTRA_PLATFORM_SUFFIXES.has(d.domain), d.domain).toBe(true);
  });

  it('does not split services that are one vendor (an app host is not a platform by accident)', () => {
    expect(registrableDomain('hooks.zapier.com')).toBe('zapier.com');
    expect(registrableDomain('eo1a2b.m.pipedream.net')).toBe('pipedream.net');
    expect(registrableDomain('acme.app.n8n.cloud')).toBe('n8n.cloud');
    expect(registrableDomain('glitch.me')).toBe('glitch.me');
    expect(registrableDomain('www.neocities.org.evil.example')).toBe('evil.example');
  });
});

describe('vendor roll-up', () => {
  it('api.openai.com and chat.openai.com: one key, one vendor, category AI', () => {
    const api = classifyHost('api.openai.com');
    const chat = classifyHost('CHAT.OpenAI.com.');
    expect(api).toMatchObject({ domain: 'openai.com', vendor: 'OpenAI', category: 'ai' });
    expect(chat).toMatchObject({ domain: 'openai.com', vendor: 'OpenAI', category: 'ai' });
  });

  it('classifies the new categories', () => {
    expect(classifyHost('api.cerebras.ai')).toMatchObject({ vendor: 'Cerebras', category: 'ai' });
    expect(classifyHost('hkdk.events')).toMatchObject({ vendor: 'Hookdeck', category: 'automation' });
    expect(classifyHost('rentry.co')).toMatchObject({ category: 'file_sharing' });
    expect(classifyHost('abc.share.zrok.io')).toMatchObject({ domain: 'abc.share.zrok.io', vendor: 'zrok', category: 'tunnel' });
    expect(classifyHost('api.zrok.io')).toMatchObject({ domain: 'zrok.io', vendor: 'zrok', category: 'tunnel', platform: false });
  });
});

describe('noise', () => {
  let engine: Duck | undefined;
  afterEach(() => {
    engine?.close();
    engine = undefined;
  });

  it('every shipped noise entry (and a host under it) is noise, and never reaches unregistered-egress even when catalogued vendors share its domain', async () => {
    const rows = catalogs.noise.flatMap((n, i) => [n.domain, `x${i}.${n.domain}`]).map((host, i) => ({
      instance: 'proxy', user: `u${i % 7}`, src_ip: '10.0.0.1', host, domain: registrableDomain(host), requests: 100, bytes_out: 1, bytes_in: 1,
    }));
    for (const r of rows) expect(classifyHost(r.host).noise, r.host).toBe(true);
    // A catalogued service next to noise: fonts.googleapis.com is noise, the Gemini API is not.
    rows.push({ instance: 'proxy', user: 'ann', src_ip: '10.0.0.2', host: 'generativelanguage.googleapis.com', domain: 'generativelanguage.googleapis.com', requests: 3, bytes_out: 1, bytes_in: 1 });
    engine = await engineWithRows({ 'norm.egress': rows });
    await attachCatalogs(engine, { companyDomains: [] });
    const rule = loadRules().find((r) => r.id === 'unregistered-egress')!;
    const results = await runRule(engine, rule, { sources: [{ instance: 'proxy', view: 'norm.egress', state: 'complete' }] });
    expect(results.map((r) => [r.resource, r.status])).toEqual([['generativelanguage.googleapis.com', 'alarm']]);
  });
});

describe('explainHost', () => {
  const base = { catalogs };

  it('says why the key is what it is: registrable, PSL platform, shadowscan platform, IP', () => {
    expect(explainHost('chat.openai.com', base)).toMatchObject({ domain: 'openai.com', key: { reason: 'registrable', public_suffix: 'com', platform_suffix: null } });
    expect(explainHost('foo.vercel.app', base)).toMatchObject({ domain: 'foo.vercel.app', key: { reason: 'psl_platform', platform_suffix: 'vercel.app' } });
    expect(explainHost('a.b.glitch.me', base)).toMatchObject({ domain: 'b.glitch.me', key: { reason: 'shadowscan_platform', platform_suffix: 'glitch.me' } });
    expect(explainHost('10.2.3.4', base)).toMatchObject({ domain: '10.2.3.4', key: { reason: 'ip' }, catalog: null });
  });

  it('names the catalog entry and its source, noise with its reason, and the company domain', () => {
    const openai = explainHost('api.openai.com', base);
    expect(openai.catalog).toMatchObject({ domain: 'openai.com', vendor: 'OpenAI', category: 'ai', source: { id: 'vendor-docs' } });
    expect(openai.verdict).toEqual({ reported: true, text: 'ai service OpenAI, no registry consulted: unregistered-egress alarms on openai.com when at least 1 user(s) reach it' });
    const cdn = explainHost('cdn.jsdelivr.net', base);
    expect(cdn.noise).toMatchObject({ domain: 'jsdelivr.net', kind: 'cdn', reason: 'cdn: jsDelivr', source: { id: 'curated' } });
    expect(cdn.verdict.reported).toBe(false);
    const own = explainHost('status.acme.vercel.app', { ...base, companyDomains: ['acme.vercel.app'] });
    expect(own).toMatchObject({ domain: 'acme.vercel.app', company: { domain: 'acme.vercel.app' }, verdict: { reported: false } });
  });

  it('finds the approving registry entry the way unregistered-egress does (never via a platform suffix; retired does not approve)', () => {
    const registry = [
      { id: 'status-board', status: 'approved', domains: ['status-board.vercel.app'], file: '/r/status.yaml' },
      { id: 'vercel-all', status: 'approved', domains: ['vercel.app'], file: '/r/vercel.yaml' },
      { id: 'github', status: 'approved', domains: ['githubusercontent.com'], file: '/r/github.yaml' },
      { id: 'old-openai', status: 'retired', domains: ['openai.com'], file: '/r/old.yaml' },
    ];
    expect(explainHost('status-board.vercel.app', { ...base, registry }).registry).toEqual({
      checked: true, entry: { id: 'status-board', status: 'approved', domain: 'status-board.vercel.app', file: '/r/status.yaml' }, retired: [],
    });
    expect(explainHost('expense-helper.vercel.app', { ...base, registry }).registry.entry).toBeNull();
    expect(explainHost('objects.githubusercontent.com', { ...base, registry }).registry.entry?.id).toBe('github');
    const openai = explainHost('api.openai.com', { ...base, registry });
    expect(openai.registry).toEqual({ checked: true, entry: null, retired: ['old-openai'] });
    expect(openai.verdict.text).toContain('not in the registry');
  });

  it('uses the config\'s catalog additions, with source config', () => {
    const x = explainHost('api.internal-llm.example', { ...base, extraDomains: [{ domain: 'internal-llm.example', vendor: 'Acme LLM gateway', category: 'ai' }] });
    expect(x.catalog).toMatchObject({ domain: 'internal-llm.example', vendor: 'Acme LLM gateway', category: 'ai', source: { id: 'config' } });
  });
});
