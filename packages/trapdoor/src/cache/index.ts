/**
 * trapdoor's disk cache (see disk-cache.ts for where it lives and how it stays consistent, and
 * instrumented.ts for the loaders' cache of instrumented modules built on it).
 */
export { cacheDir, cacheKey, CACHE_ENV, DiskCache } from './disk-cache.js';
export { InstrumentCache, instrumentCached, transformVersion, type InstrumentFunction } from './instrumented.js';
