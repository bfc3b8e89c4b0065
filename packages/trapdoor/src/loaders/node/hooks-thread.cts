/**
 * What hooks-entry.ts requires on Node's hooks thread: hooks.ts and what it imports (the cache, the
 * settings), made one CommonJS file by the build (scripts/bundle-node.mjs). As an ES module,
 * loaded by `require(esm)`, each of its `import … from 'node:fs'` (and node:buffer, node:path…)
 * made Node build an ES module facade of the built-in, whose exports it reads once each: for
 * node:fs that loads Node's file streams and fs/promises, about 7 ms of the hooks thread in every
 * instrumented process, before the first module could be looked up. Unbundled (as tsc writes
 * it) it works the same.
 */
import type * as Hooks from './hooks.js';

module.exports = require('./hooks.js') as typeof Hooks;
