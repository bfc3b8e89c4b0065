/**
 * CommonJS on Node: every module Node compiles for `require` (and every ES module `require(esm)`
 * loads) passes through `Module.prototype._compile(content, filename, format)`, which is where
 * the program's own files are instrumented. Wrapping `_compile` rather than
 * `Module._extensions['.js']` keeps one frame of ours in stack traces instead of two, and sees
 * `.cjs`, `.mjs` and the source another `require` hook (ts-node, @babel/register, tsx/cjs) produced.
 *
 * TypeScript (typescript.ts): a .ts/.cts/.mts file whose content is still the file's own is
 * stripped of its types here, and given the format Node's rules give it; content another hook
 * compiled is JavaScript already. `require('./util')` finds util.ts because the extensions are
 * registered (as Node's `.js` handler, which reads the file and calls `_compile`), unless a hook
 * such as tsx or ts-node registered its own first.
 *
 * The runtime instrumented code requires is loaded without a parent, so `module.children` stays
 * what the program made it.
 *
 * The transform is loaded on the first file that needs it and is not in the cache of instrumented
 * modules (../../cache/), synchronously (`require(esm)`, Node
 * 20.19+), with the hook switched off meanwhile so that the transform's own dependencies load as
 * they are.
 */
import Module, { createRequire } from 'node:module';
import { makePolicy, type LoaderSettings } from '../settings.js';
import { inlineMapFor } from './source-maps.js';
import { requireRuntimeWithoutParent } from '../runtime-require.js';
import type * as InstrumentModule from '../instrument-module.js';
import * as ts from '../typescript.js';
import { InstrumentCache, instrumentCached } from '../../cache/instrumented.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
type Extension = (module: unknown, filename: string) => unknown;

const NODE_MODULES = /[\\/]node_modules[\\/]/;

export function installCommonJsHook(settings: LoaderSettings, sourceMaps: () => boolean): void {
  const policy = makePolicy(settings);
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  const require = createRequire(import.meta.url);
  let transform: typeof InstrumentModule | undefined;
  let busy = false;
  // Modules instrumented before (../../cache/): a hit needs no transform.
  const cache = InstrumentCache.open(settings.cwd);

  requireRuntimeWithoutParent(settings.runtimeCjs);
  const extensions = (Module as unknown as { _extensions: Record<string, Extension> })._extensions;
  for (const ext of ['.ts', '.cts', '.mts']) extensions[ext] ??= extensions['.js']!;

  proto._compile = function _compile(content, filename, ...rest) {
    if (busy || typeof content !== 'string' || typeof filename !== 'string') return original.call(this, content, filename, ...rest);
    const instrument = policy(filename);
    // TypeScript is stripped even where it is not instrumented (--exclude), except in node_modules, as Node 22 does.
    const typeScript = ts.isTypeScript(filename) && (instrument || !NODE_MODULES.test(filename));
    if (!instrument && !typeScript) return original.call(this, content, filename, ...rest);
    busy = true;
    try {
      const format = rest[0];
      let moduleType: 'esm' | 'cjs' | undefined = format === 'module' ? 'esm' : format === 'commonjs' ? 'cjs' : undefined;
      let map: InstrumentModule.InstrumentModuleOptions['inputSourceMap'];
      const strip = typeScript && ts.isFileAsOnDisk(content, filename);
      if (strip) {
        let nodeFormat = moduleType === undefined ? ts.formatOf(filename) : format === 'module' ? 'module' : 'commonjs';
        ({ code: content, map } = ts.stripTypes(content, filename));
        // Without a package "type": by its syntax, as Node's own detection would decide it.
        nodeFormat ??= ts.hasModuleSyntax(content, filename) ? 'module' : 'commonjs';
        rest[0] = nodeFormat;
        moduleType = nodeFormat === 'module' ? 'esm' : 'cjs';
      }
      // An ES module entry point is loaded again by the ES module loader, which instruments it (hooks.ts).
      const esmEntry = moduleType === 'esm' && (this as { id?: string }).id === '.';
      const maps = sourceMaps();
      if (instrument && !esmEntry) {
        const out = instrumentCached(cache, content, {
          path: filename,
          moduleType,
          runtimeEsm: settings.runtimeEsm,
          runtimeCjs: settings.runtimeCjs,
          inlineMap: strip ? (maps ? 'always' : 'never') : inlineMapFor(moduleType ?? 'cjs', maps),
          readExternalMaps: true,
          compiled: ts.isTypeScript(filename) || (ts.isTsx(filename) && !ts.isFileAsOnDisk(content, filename)),
          inputSourceMap: map,
        }, () => (transform ??= require('../instrument-module.js') as typeof InstrumentModule).instrumentModule);
        if (out.code !== undefined) {
          content = out.code;
          map = undefined;
        }
      }
      if (map !== undefined && maps && !esmEntry) {
        transform ??= require('../instrument-module.js') as typeof InstrumentModule;
        content = `${content}\n${transform.inlineMapComment(map)}\n`;
      }
    } finally {
      busy = false;
    }
    // Outside the try: the modules this one requires are instrumented too.
    return original.call(this, content, filename, ...rest);
  };
}
