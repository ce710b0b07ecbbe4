// The approved-app registry (DESIGN.md "Registry"): load + validate YAML, match apps and
// domains to entries, expose registry.* to rules, add entries.
export { attachRegistry, registryTables, type AttachedRegistry } from './attach.js';
export { checkRegistry, loadRegistry, registryDir, registryError, type RegistryCheck } from './load.js';
export { matchRegistry, nameSimilarity, suggestByName, type RegistryMatch, type RegistryQuery } from './match.js';
export {
  dataClassifications,
  registryDomainProblem,
  registryEntrySchema,
  registryStatuses,
  type DataClassification,
  type RegistryEntry,
  type RegistryIdentity,
  type RegistryStatus,
} from './schema.js';
export { addRegistryEntry, parseIdentityArg, type NewRegistryEntry } from './write.js';
