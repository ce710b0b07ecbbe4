// Shipped domain knowledge (catalogs/*.yaml): load + validate, classify hosts, attach as catalog.*.
export { attachCatalogs, catalogTables, type AttachCatalogsOptions, type AttachedCatalogs } from './attach.js';
export { classifyHost, type ClassifyOptions, type HostClass } from './classify.js';
export { hostMatches, hostnameProblem, isPlatformSuffix, normalizeHost, registrableDomain } from './hosts.js';
export {
  BUILTIN_CATALOG_DIR,
  CATALOG_FILES,
  domainCategories,
  loadCatalogs,
  noiseKinds,
  shippedCatalogs,
  type CatalogDomain,
  type CatalogFileInfo,
  type Catalogs,
  type CatalogSource,
  type DomainCategory,
  type FirstPartyApp,
  type FirstPartyPublisher,
  type NoiseDomain,
  type NoiseKind,
} from './load.js';
export { identityProviders, type IdentityProvider } from './providers.js';
