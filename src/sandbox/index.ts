/**
 * The sandbox as one module: the build makes it dist/sandbox.cjs, which the CLI requires when a
 * command first needs the sandbox, so its code is not part of what every `tacpay` start reads
 * (scripts/build.mjs). One module for all of it keeps one copy of the sandbox's state per process.
 */
export * from './api.js';
export type { Reply } from './api.js';
export * from './clock.js';
export * from './data-dir.js';
export * from './deliveries.js';
export * from './group-commit.js';
export * from './make-dirs.js';
export * from './merchants.js';
export * from './notify-probes.js';
export * from './notify-receiver.js';
export * from './notify.js';
export * from './runtime.js';
export * from './sdk-effect.js';
export * from './server.js';
export * from './sqlite.js';
export * from './store.js';
export * from './wire.js';
