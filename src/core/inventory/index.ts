export * from './schema.js';
export * from './loader.js';
export * from './allow.js';
export * from './engines.js';
export * from './systems.js';
