// Shipped domain knowledge (catalogs/*.yaml): load + validate, classify hosts, attach as catalog.*.
export { attachCatalogs, catalogTables, type AttachCatalogsOptions, type AttachedCatalogs } from './attach.js';
export { explainHost, type ExplainOptions, type HostExplanation, type KeyReason, type RegistryDomains } from './explain.js';
export { classifyHost, type ClassifyOptions, type HostClass } from './classify.js';
export { hostMatches, hostnameProblem, isPlatformSuffix, normalizeHost, registrableDomain } from './hosts.js';
export {
  BUILTIN_CATALOG_DIR,
  CATALOG_FILES,
  domainCategories,
  loadCatalogs,
  noiseKinds,
  permissionTypes,
  riskCapabilities,
  scopeSeverities,
  type CatalogDomain,
  type CatalogFileInfo,
  type Catalogs,
  type CatalogSource,
  type DomainCategory,
  type FirstPartyApp,
  type FirstPartyPublisher,
  type NoiseDomain,
  type NoiseKind,
  type PermissionType,
  type RiskCapability,
  type RiskyScope,
} from './load.js';
export { cachedCatalogs, catalogCacheKey, CATALOG_CACHE_DIR, shippedCatalogs } from './cache.js';
export { identityProviders, type IdentityProvider } from './providers.js';
