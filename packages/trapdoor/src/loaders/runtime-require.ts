/**
 * Instrumented CommonJS requires the runtime by its absolute path. Through `Module._load` with the
 * requiring module as parent, the runtime would be listed in that module's `module.children`,
 * which the program can see; loaded without a parent it is not. Node and Deno route `require`
 * through `Module._load`; Bun does not (see bun/commonjs.ts).
 */
import Module from 'node:module';

type Load = (this: unknown, request: string, ...rest: unknown[]) => unknown;

export function requireRuntimeWithoutParent(runtimeCjs: string): void {
  const statics = Module as unknown as { _load: Load };
  const original = statics._load;
  let runtime: unknown;
  statics._load = function _load(request, ...rest) {
    if (request === runtimeCjs) return (runtime ??= original.call(this, request, null, false));
    return original.call(this, request, ...rest);
  };
}
