// Everything a rule reads over the real data: the lake's norm.* views, registry.* and catalog.*
// (from src/registry and src/catalog, loaded lazily), and the state of every source. When the
// registry or catalog module is not available, the views still exist, empty and typed, so rules
// compile; the caller is told, because an empty registry makes every app look unregistered.
import { dirname, resolve } from 'node:path';
import { windowStart, type Context } from '../context.js';
import type { Duck } from '../db/duck.js';
import { connectorTypes, loadConnector } from '../connectors/catalog.js';
import type { ConnectorDefinition } from '../connectors/types.js';
import { attachLake } from '../store/lake.js';
import { attributionSettings } from '../norm/attribution.js';
import type { SourceStatus } from './model.js';
import { readSyncFacts, sourceStatus } from './sources.js';
import { catalogViews, createEmptyViews, registryViews } from './views.js';

/** Where the registry and catalog modules live, and what they export (docs/rules-and-findings.md). */
export const CONTEXT_MODULES = {
  registry: new URL('../registry/index.js', import.meta.url).href,
  catalog: new URL('../catalog/index.js', import.meta.url).href,
};

/**
 * The shipped modules by their URL, imported with literal specifiers so that the bundled CLI
 * (bin/bundle.js) contains them: a bundle cannot resolve a computed URL to a .ts file.
 */
const SHIPPED_MODULES: Record<string, () => Promise<unknown>> = {
  [CONTEXT_MODULES.registry]: () => import('../registry/index.js'),
  [CONTEXT_MODULES.catalog]: () => import('../catalog/index.js'),
};

interface RegistryModule {
  loadRegistry(dir: string): unknown;
  attachRegistry(engine: Duck, entries: unknown): Promise<unknown>;
}
interface CatalogModule {
  attachCatalogs(engine: Duck, opts: { companyDomains: string[]; extraDomains?: ExtraDomain[] }): Promise<unknown>;
}
type ExtraDomain = { domain: string; vendor: string; category: string };

export interface RuleContextReport {
  registry: 'attached' | 'empty';
  catalogs: 'attached' | 'empty';
  sources: SourceStatus[];
}

/** Attaches norm.*, registry.* and catalog.* for a command and judges the sources. */
export async function attachRuleContext(engine: Duck, ctx: Context, modules = CONTEXT_MODULES): Promise<RuleContextReport> {
  await attachLake(engine, ctx.paths, { windowStart: windowStart(ctx), attribution: attributionSettings(ctx.loaded.config) });
  const config = ctx.loaded.config as typeof ctx.loaded.config & { registry?: { dir?: string }; company_domains?: string[] };
  const base = ctx.loaded.file ? dirname(ctx.loaded.file) : process.cwd();
  const registry = await attachRegistryViews(engine, resolve(base, config.registry?.dir ?? 'registry'), modules.registry);
  const catalogs = await attachCatalogViews(engine, config.company_domains ?? [], modules.catalog, ctx.loaded.config.catalog.domains);
  const connectors = (await Promise.all(connectorTypes.map(loadConnector))).filter((c): c is ConnectorDefinition => !!c);
  const sources = sourceStatus({
    syncs: await readSyncFacts(ctx.paths),
    connectors,
    instances: Object.fromEntries(Object.entries(ctx.loaded.config.instances).map(([name, inst]) => [name, inst.type])),
  });
  return { registry, catalogs, sources };
}

export async function attachRegistryViews(engine: Duck, dir: string, moduleUrl: string): Promise<'attached' | 'empty'> {
  const mod = await importIfPresent<RegistryModule>(moduleUrl, ['loadRegistry', 'attachRegistry']);
  if (!mod) {
    await createEmptyViews(engine, Object.keys(registryViews), 'view');
    return 'empty';
  }
  await mod.attachRegistry(engine, await mod.loadRegistry(dir));
  return 'attached';
}

export async function attachCatalogViews(engine: Duck, companyDomains: string[], moduleUrl: string, extraDomains: ExtraDomain[] = []): Promise<'attached' | 'empty'> {
  const mod = await importIfPresent<CatalogModule>(moduleUrl, ['attachCatalogs']);
  if (!mod) {
    await createEmptyViews(engine, Object.keys(catalogViews), 'view');
    return 'empty';
  }
  await mod.attachCatalogs(engine, { companyDomains, extraDomains });
  return 'attached';
}

/** The module when it exists and has the named functions; undefined when the file is absent. */
async function importIfPresent<T>(url: string, functions: string[]): Promise<T | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await (SHIPPED_MODULES[url]?.() ?? import(url))) as Record<string, unknown>;
  } catch (e) {
    // Only the module itself being absent means "not built yet"; a module whose own imports fail is a bug.
    const missing = /Cannot find module '([^']+)'/.exec(String(e))?.[1];
    const stem = (p: string) => p.replace(/^file:\/\//, '').replace(/\.[cm]?[jt]s$/, '');
    if (missing && stem(missing) === stem(new URL(url).pathname)) return undefined;
    throw e;
  }
  const absent = functions.filter((f) => typeof mod[f] !== 'function');
  if (absent.length) throw new Error(`${url} does not export ${absent.join(', ')} (docs/rules-and-findings.md fixes the contract)`);
  return mod as T;
}
