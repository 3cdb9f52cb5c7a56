/** The run engine's public surface. */
export * from './step-runner.js';
export * from './step-state.js';
export * from './ports.js';
export * from './redact.js';
export * from './output.js';
export * from './expect.js';
export * from './confirmation.js';
export * from './events.js';
export * from './execute.js';
export * from './engine.js';
export * from './sequence.js';
export * from './run-state.js';
