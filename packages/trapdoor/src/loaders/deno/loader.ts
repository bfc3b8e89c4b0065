/**
 * The Deno loader, loaded by register.ts once trapdoor's own imports resolve: instruments the program's own modules as Deno loads them, with the synchronous module hooks of
 * `node:module` (`registerHooks`), which Deno 2.9 implements for ES modules and CommonJS alike.
 * The program runs from its own files: `import.meta.url`, stack traces and the site tables name
 * the original files, and nothing is copied.
 *
 * - Deno hands the hook TypeScript and JSX already compiled to JavaScript, with an inline map
 *   back to the original; that JavaScript is instrumented (the map chained, so sites name the
 *   original file and positions).
 * - Deno applies a module's inline map to its stack traces (in the exact form
 *   `data:application/json;base64,`), and otherwise keeps applying its own TypeScript map to
 *   whatever source the hook returned; so every instrumented module gets our map, and ES modules'
 *   stack traces show the original file, line and column. CommonJS modules (compiled by Deno's
 *   Node compatibility layer) are not mapped: lines are right, columns on a line where a check was
 *   inserted move.
 * - Deno reports no format to the hook. `.mjs`/`.mts` are ES modules and `.cjs`/`.cts` CommonJS;
 *   a file loaded for `import` is an ES module (Deno imports CommonJS through `require`); a file
 *   loaded for `require` is judged by its syntax.
 *
 * Permissions: reading trapdoor's packages and their dependencies (to resolve them as Node does);
 * environment variables it is not allowed to read count as unset. `trapdoor run` grants what the
 * runtime needs.
 */
import { readFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { installModuleDump } from '../debug-dump.js';
import type * as InstrumentModule from '../instrument-module.js';
import type { InstrumentModuleOptions, ModuleType } from '../instrument-module.js';
import { offerInstrumentedSource } from '../instrumented-source.js';
import { InstrumentCache, instrumentCached } from '../../cache/instrumented.js';
import { settingsFromEnv } from '../locations.js';
import { loadRuntimeWithoutParent } from '../runtime-require.js';
import { claimThread, ENV, makePolicy, pathOfUrl, readEnv } from '../settings.js';
import { ownDirectories } from './own-modules.js';

interface LoadContext {
  conditions?: string[];
}
interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}
type RegisterHooks = (hooks: { load(url: string, context: LoadContext, next: (url: string, context: LoadContext) => LoadResult): LoadResult }) => unknown;

const registerHooks = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;

/**
 * The transform, loaded on the first cache miss, as on Node and Bun: one CommonJS file
 * (scripts/bundle-deno.mjs), because Deno 2.9's require() of an ES module cannot resolve that
 * module's relative imports once a module hook is registered, and a load hook cannot await.
 */
let transform: typeof InstrumentModule | undefined;
const instrumentModule: typeof InstrumentModule.instrumentModule = (code, options) =>
  (transform ??= createRequire(import.meta.url)('./transform.cjs') as typeof InstrumentModule).instrumentModule(code, options);

if (claimThread('deno')) {
  if (typeof registerHooks !== 'function') {
    throw new Error(`trapdoor: this Deno (${(globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno}) has no module.registerHooks; trapdoor needs Deno 2.9 or later`);
  }
  // Found with require.resolve (Node's resolution): import.meta.resolve would ask the program's configuration.
  const settings = settingsFromEnv(workingDirectory(), { canRead: true });
  // The runtime's ES modules import their dependencies by bare name too.
  ownDirectories(settings.ownDirs);
  const policy = makePolicy(settings);
  const decoder = new TextDecoder();
  const cache = InstrumentCache.open(settings.cwd);
  const optionsFor = (path: string, moduleType: ModuleType | undefined): InstrumentModuleOptions => ({
    path,
    moduleType,
    runtimeEsm: settings.runtimeEsm,
    runtimeCjs: settings.runtimeCjs,
    inlineMap: 'always',
    readExternalMaps: false,
    compiled: /\.(?:[cm]?ts|[jt]sx)$/i.test(path),
  });

  registerHooks({
    load(url, context, next) {
      const path = pathOfUrl(url);
      // Deno 2.9 compiles whatever a load hook returns for require() as JavaScript unless told
      // otherwise, even when the hook passed Deno's own result on: a native addon (the runtime's
      // signal watcher among them) and a .json file would fail to load. So an addon is loaded
      // as Node's own require does it, and JSON is said to be JSON.
      if (path !== undefined && /\.node$/i.test(path)) {
        return { format: 'commonjs', source: `process.dlopen(module, ${JSON.stringify(path)});`, shortCircuit: true };
      }
      const result = next(url, context);
      if (path !== undefined && result.format == null && /\.json$/i.test(path)) return { ...result, format: 'json' };
      if (path === undefined || result.source == null || !policy(path)) return result;
      const source = typeof result.source === 'string' ? result.source : decoder.decode(result.source as ArrayBufferView);
      const moduleType = moduleTypeOf(path, context);
      // For require(): CommonJS, or an ES module by its syntax (which imports the ES runtime).
      const isEsm = moduleType === 'esm';
      const out = instrumentCached(cache, source, optionsFor(path, moduleType), () => instrumentModule);
      if (out.code === undefined) return result;
      // Before the module runs, so that it finds the runtime in require.cache (../runtime-require.ts).
      if (!isEsm) loadRuntimeWithoutParent(settings.runtimeCjs);
      return { ...result, source: out.code };
    },
  });
  installModuleDump(readEnv(ENV.dumpModules), settings.runtimeCjs);

  // The code a module ran, on demand (../instrumented-source.ts), nothing kept per module: for a
  // JavaScript file, what the hook was handed is the file's text, so the same options find the
  // result in the cache of instrumented modules or the deterministic transform makes it again.
  // Whether it was loaded for `import` or `require` (its module type, when its extension does not
  // say) is told by the cache, else by `require.cache`. TypeScript and JSX are not offered: the
  // hook was handed Deno's own compilation of them, which is not on disk.
  offerInstrumentedSource((file) => {
    const path = pathOfUrl(file);
    if (path === undefined || !/\.[cm]?js$/i.test(path) || !policy(path)) return undefined;
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    const byExtension = moduleTypeOf(path, {});
    const candidates: Array<ModuleType | undefined> = byExtension !== undefined ? [byExtension] : requireCache()[path] !== undefined ? [undefined, 'esm'] : ['esm', undefined];
    for (const moduleType of candidates) {
      const hit = cache?.get(source, optionsFor(path, moduleType));
      if (hit !== undefined) return hit.code;
    }
    return instrumentModule(source, optionsFor(path, candidates[0])).code;
  });
}

/** CommonJS modules Deno's Node compatibility layer has loaded, by path. */
function requireCache(): Record<string, unknown> {
  return (module as unknown as { _cache?: Record<string, unknown> })._cache ?? {};
}

function moduleTypeOf(path: string, context: LoadContext): ModuleType | undefined {
  if (/\.m[jt]s$/i.test(path)) return 'esm';
  if (/\.c[jt]s$/i.test(path)) return 'cjs';
  if (context.conditions?.includes('import')) return 'esm';
  return undefined;
}

/** Deno.cwd() needs read permission; `trapdoor run` passes the directory instead. */
function workingDirectory(): string {
  const given = readEnv(ENV.cwd);
  if (given) return given;
  try {
    return process.cwd();
  } catch {
    return '/';
  }
}
