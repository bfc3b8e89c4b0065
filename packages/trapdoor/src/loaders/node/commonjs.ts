/**
 * CommonJS on Node: every module Node compiles for `require` (and every ES module `require(esm)`
 * loads) passes through `Module.prototype._compile(content, filename, format)`, which is where
 * the program's own files are instrumented. Wrapping `_compile` rather than
 * `Module._extensions['.js']` keeps one frame of ours in stack traces instead of two, and sees
 * `.cjs`, `.mjs` and the source another `require` hook (ts-node, @babel/register) produced.
 *
 * The runtime instrumented code requires is loaded without a parent, so `module.children` stays
 * what the program made it.
 *
 * The transform is loaded on the first file that needs it, synchronously (`require(esm)`, Node
 * 20.19+), with the hook switched off meanwhile so that the transform's own dependencies load as
 * they are.
 */
import Module, { createRequire } from 'node:module';
import { makePolicy, type LoaderSettings } from '../settings.js';
import { inlineMapFor } from './source-maps.js';
import { requireRuntimeWithoutParent } from '../runtime-require.js';
import type { instrumentModule as InstrumentModule } from '../instrument-module.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;

export function installCommonJsHook(settings: LoaderSettings, sourceMaps: boolean): void {
  const policy = makePolicy(settings);
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  const require = createRequire(import.meta.url);
  let instrumentModule: typeof InstrumentModule | undefined;
  let busy = false;

  requireRuntimeWithoutParent(settings.runtimeCjs);

  proto._compile = function _compile(content, filename, ...rest) {
    if (!busy && typeof content === 'string' && typeof filename === 'string' && policy(filename)) {
      busy = true;
      try {
        instrumentModule ??= (require('../instrument-module.js') as { instrumentModule: typeof InstrumentModule }).instrumentModule;
        const format = rest[0];
        const moduleType = format === 'module' ? 'esm' : format === 'commonjs' ? 'cjs' : undefined;
        const out = instrumentModule(content, {
          path: filename,
          moduleType,
          runtimeEsm: settings.runtimeEsm,
          runtimeCjs: settings.runtimeCjs,
          inlineMap: inlineMapFor(moduleType ?? 'cjs', sourceMaps),
          readExternalMaps: true,
        });
        if (out.code !== undefined) content = out.code;
      } finally {
        busy = false;
      }
    }
    return original.call(this, content, filename, ...rest);
  };
}
