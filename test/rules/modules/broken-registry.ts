// A registry module whose own import is missing: must surface as an error, not "absent".
// @ts-expect-error the dependency does not exist on purpose
export { loadRegistry, attachRegistry } from './no-such-dependency.js';
