export { SystemRouting, unknownSystemText } from './routing.js';
export { SystemsSchema, type SystemsConfig } from './schema.js';
export { systemOfRunbook } from './names.js';
