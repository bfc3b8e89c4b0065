/**
 * Instrumented CommonJS takes the runtime from `require.cache` when it is there, else requires it
 * by its absolute path (transform/src/emit.ts). Through `Module._load` with the requiring module as
 * parent, the runtime would be listed in that module's `module.children`, which the program can
 * see. So the loaders (node/commonjs.ts, deno/loader.ts) load it here, without a parent, before
 * the first instrumented CommonJS module runs. A wrapper of `Module._load` that dropped the parent
 * would be a frame of trapdoor's in the stack trace of every module loaded through it (an ES module
 * entry's imported CommonJS included, where the preload loaded the ES runtime). Bun does not route
 * `require` through `Module._load` (see bun/commonjs.ts).
 */
import Module from 'node:module';

interface Statics {
  _cache: Record<string, unknown>;
  _load(request: string, parent: null, isMain: boolean): unknown;
}

/** Loads the CommonJS runtime into `require.cache` without a parent, unless it is there. */
export function loadRuntimeWithoutParent(runtimeCjs: string): void {
  const statics = Module as unknown as Statics;
  if (statics._cache[runtimeCjs] === undefined) statics._load(runtimeCjs, null, false);
}
