export { SystemRouting, foldName, unknownSystemText, type RoutingOptions, type RoutingProblem } from './routing.js';
export { SYSTEM_NAME_RE, SystemNameSchema, SystemSchema, SystemsSchema, type SystemConfig, type SystemsConfig } from './schema.js';
export { systemOfRunbook } from './names.js';
