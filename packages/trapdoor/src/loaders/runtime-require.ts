/**
 * Instrumented CommonJS takes the runtime from `require.cache` when it is there, else requires it
 * by its absolute path (transform/src/emit.ts). Through `Module._load` with the requiring module as
 * parent, the runtime would be listed in that module's `module.children`, which the program can
 * see; loaded without a parent it is not. Node and Deno route `require` through `Module._load`;
 * Bun does not (see bun/commonjs.ts).
 *
 * When the runtime is already in `require.cache` (the loader preloads it for a CommonJS entry),
 * nothing is wrapped: a wrapper of `Module._load` would be a frame of trapdoor's in the stack
 * trace of every module loaded through it, the entry point's included. Otherwise `_load` is
 * wrapped until the runtime has been loaded once, without a parent.
 */
import Module from 'node:module';

type Load = (this: unknown, request: string, ...rest: unknown[]) => unknown;

export function requireRuntimeWithoutParent(runtimeCjs: string): void {
  const statics = Module as unknown as { _load: Load; _cache?: Record<string, unknown> };
  if (statics._cache?.[runtimeCjs] !== undefined) return;
  const original = statics._load;
  statics._load = function _load(request, ...rest) {
    if (request !== runtimeCjs) return original.call(this, request, ...rest);
    const runtime = original.call(this, request, null, false);
    if (statics._load === _load) statics._load = original; // from now on, instrumented code finds it in require.cache
    return runtime;
  };
}
