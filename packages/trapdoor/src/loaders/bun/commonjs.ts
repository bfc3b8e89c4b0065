/**
 * CommonJS on Bun. A `Bun.plugin` onLoad result with `contents` is always evaluated as an ES
 * module (oven-sh/bun#39786, still so in 1.4.5): CommonJS text returned that way loses its
 * `module.exports` (`require` gets `{}`), and the entry module does not run at all. So a CommonJS
 * file is evaluated here, by Bun's own CommonJS machinery (`Module.prototype._compile` on a
 * module in `require.cache`), and onLoad returns its exports with the `object` loader:
 *
 * - reached through `require()`: Bun has already put its module for the file in `require.cache`
 *   (not loaded yet); that very module is compiled, so `module`, `require.cache[file]`,
 *   `module.parent` and cycles are Bun's own. `{ __esModule: true, default: exports }` makes
 *   `require()` return `exports` itself (functions, classes, primitives included);
 * - imported (or the entry point): a new `Module` in `require.cache`, so a later `require()`
 *   finds it; the result is the namespace Bun would build (named exports and `default`, which is
 *   `exports.default` when `exports.__esModule` is set, as Bun's own interop does).
 *
 * Known differences from Bun's own loading: top-level `this` is the module, not `exports` (Bun's
 * `_compile` calls the wrapper so); while the module body runs, `module.children` lists the
 * runtime (removed once it has run); TypeScript written as CommonJS is compiled with
 * `Bun.Transpiler`, which does not keep line numbers; a module imported (not required) that throws
 * stays in `require.cache`, unfinished. Error output: `_compile` runs the text as it is, with its
 * wrapper `(function(exports,require,module,__filename,__dirname){` in front of line 1 and without
 * Bun's own transpiler and map, so errors show only the error's line (no lines before it), line 1
 * with the wrapper and 55 columns to the right, and call positions where JavaScriptCore puts them
 * (the `(` of `f(x)`, the `new` of `new E()`) where Bun's map would give the callee's name.
 */
import Module from 'node:module';
import { dirname } from 'node:path';

interface CjsModule {
  id: string;
  filename: string;
  paths: string[];
  loaded: boolean;
  exports: unknown;
  children?: Array<{ id?: string; filename?: string } | undefined>;
  _compile(code: string, filename: string): unknown;
  [OURS]?: true;
}

const OURS: unique symbol = Symbol.for('trapdoor.bun.module');
const loading = new Set<CjsModule>();

export interface ObjectResult {
  loader: 'object';
  exports: Record<string, unknown>;
}

export function evaluateCommonJs(path: string, code: string, main: string | undefined, runtime: string): ObjectResult {
  const statics = Module as unknown as {
    _cache: Record<string, CjsModule | undefined>;
    _nodeModulePaths(dir: string): string[];
    new (id: string, parent?: unknown): CjsModule;
  };
  const cache = statics._cache;
  let mod = cache[path];
  // Bun's own module, fresh: this onLoad runs for a require(). Already loaded: for an import.
  const forRequire = mod !== undefined && mod[OURS] !== true && !mod.loaded;
  if (mod === undefined) {
    mod = new statics(path, null);
    mod.filename = path;
    mod.paths = statics._nodeModulePaths(dirname(path));
    if (path === main) mod.id = '.';
    Object.defineProperty(mod, OURS, { value: true });
    cache[path] = mod;
  }
  if (!mod.loaded && !loading.has(mod)) {
    loading.add(mod);
    return compile(mod, code, path, forRequire, runtime);
  }
  return resultOf(mod, forRequire);
}

/**
 * Compiles the module and returns its onLoad result, with no frame of trapdoor's under the
 * module's code: JavaScriptCore elides a frame whose function ends in a call in tail position
 * (ES modules are strict), and `JSON.parse` is native, so the only JavaScript between Bun's plugin
 * machinery and the module's own frames is `_compile`'s native code, as without trapdoor. The
 * reviver sees key "0" first (the compile, a tail call), then the root "" (collects the result).
 * A module that throws propagates its error as it is; it stays in `loading` (see the top).
 */
function compile(mod: CjsModule, code: string, path: string, forRequire: boolean, runtime: string): ObjectResult {
  return JSON.parse('[0]', (key: string) => {
    if (key === '0') return mod._compile(code, path);
    return finish(mod, forRequire, runtime);
  }) as ObjectResult;
}

function finish(mod: CjsModule, forRequire: boolean, runtime: string): ObjectResult {
  mod.loaded = true;
  loading.delete(mod);
  // The runtime the instrumented code required is no child of the program's module.
  const children = mod.children;
  const index = Array.isArray(children) ? children.findIndex((c) => c?.filename === runtime || c?.id === runtime) : -1;
  if (index >= 0) children!.splice(index, 1);
  return resultOf(mod, forRequire);
}

function resultOf(mod: CjsModule, forRequire: boolean): ObjectResult {
  const exports = mod.exports;
  if (forRequire) return { loader: 'object', exports: { __esModule: true, default: exports } };
  return { loader: 'object', exports: namespaceOf(exports) };
}

function namespaceOf(exports: unknown): Record<string, unknown> {
  const namespace: Record<string, unknown> = {};
  if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) {
    for (const key of Object.keys(exports)) {
      if (key !== 'default' && key !== '__esModule') namespace[key] = (exports as Record<string, unknown>)[key];
    }
  }
  namespace.default = (exports as { __esModule?: unknown } | null)?.__esModule ? (exports as { default?: unknown }).default : exports;
  return namespace;
}
