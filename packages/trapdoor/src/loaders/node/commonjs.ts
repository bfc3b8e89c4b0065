/**
 * CommonJS on Node: every module Node compiles for `require` (and every ES module `require(esm)`
 * loads) passes through `Module.prototype._compile(content, filename, format)`, which is where
 * the program's own files are instrumented: `.js`, `.cjs`, `.mjs` and the source another `require`
 * hook (ts-node, @babel/register, tsx/cjs) produced. compile-hook.ts changes that text without a
 * frame of trapdoor's in the module's stack traces where Node's own `.js` handler loads it; under
 * another hook's handler the wrapper below does it (one frame, next to that hook's own).
 *
 * TypeScript (typescript.ts): a .ts/.cts/.mts file whose content is still the file's own is
 * stripped of its types here, and given the format Node's rules give it; content another hook
 * compiled is JavaScript already. `require('./util')` finds util.ts because the extensions are
 * registered (as Node's `.js` handler, which reads the file and calls `_compile`), unless a hook
 * such as tsx or ts-node registered its own first.
 *
 * The runtime instrumented code requires is loaded without a parent before the first instrumented
 * CommonJS module runs (../runtime-require.ts).
 *
 * The transform is loaded on the first file that needs it and is not in the cache of instrumented
 * modules (../../cache/), synchronously (`require(esm)`, Node
 * 20.19+), with the hook switched off meanwhile so that the transform's own dependencies load as
 * they are.
 */
import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { makePolicy, type LoaderSettings, type Policy } from '../settings.js';
import { inlineMapFor } from './source-maps.js';
import { loadRuntimeWithoutParent } from '../runtime-require.js';
import type * as InstrumentModule from '../instrument-module.js';
import * as ts from '../typescript.js';
import { InstrumentCache, instrumentCached } from '../../cache/instrumented.js';
import { formatOf, installCompileHook, loadedByNode, type Changed, type ModuleObject, type NodeFormat } from './compile-hook.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;

const NODE_MODULES = /[\\/]node_modules[\\/]/;

/** What the main thread needs to offer instrumented code on demand (../instrumented-source.ts). */
export interface CommonJsHook {
  /** The code this hook compiled for the CommonJS module at `path` (done again from the file, see below), or undefined. */
  sourceOf(path: string): string | undefined;
  /** The transform, loaded with this hook switched off meanwhile (as on a cache miss here). */
  transform(): typeof InstrumentModule.instrumentModule;
  cache: InstrumentCache | undefined;
  policy: Policy;
  /**
   * The text to compile for a CommonJS module and its format (undefined: as it is), as the compile
   * hook decides it, for a load hook that hands Node the text (Node 22.15+, install.ts): the
   * compile hook then leaves that module's compile to Node.
   */
  changeBefore(content: string, filename: string, format: NodeFormat): Changed | undefined;
}

type ChangeFunction = (content: string, filename: string, format: NodeFormat, module: ModuleObject) => Changed | undefined;

/**
 * `decide` answering the same question asked again at once from its last answer. On Node 22+ a
 * CommonJS module `require`d through the load hooks (createRequire in an ES module) is read by
 * Node's default load step through the compile hook's read window, which decides it, and then
 * handed to the load hook (install.ts), which asks again with the same text (unchanged) or with the
 * text the window returned: without this, a module left unchanged (no sites) paid a second cache
 * lookup, or a second transform on a cold cache. One entry, since the two asks are back to back;
 * the text is compared, so a file changed on disk in between is decided again.
 */
export function withLastDecision(decide: ChangeFunction): ChangeFunction {
  let last: { filename: string; content: string; format: NodeFormat; entry: boolean; changed: Changed | undefined } | undefined;
  return (content, filename, format, module) => {
    const entry = module.id === '.';
    if (last !== undefined && last.filename === filename && last.format === format && last.entry === entry) {
      if (content === last.content) return last.changed;
      // The text this decision produced: it is what it should be.
      if (content === last.changed?.content) return undefined;
    }
    const changed = decide(content, filename, format, module);
    last = { filename, content, format, entry, changed };
    return changed;
  };
}

export function installCommonJsHook(settings: LoaderSettings, sourceMaps: () => boolean): CommonJsHook {
  const policy = makePolicy(settings);
  const require = createRequire(import.meta.url);
  let transform: typeof InstrumentModule | undefined;
  let busy = false;
  // Modules instrumented before (../../cache/): a hit needs no transform.
  const cache = InstrumentCache.open(settings.cwd);


  /** Whether a file is instrumented or stripped. TypeScript is stripped even where it is not instrumented (--exclude), except in node_modules, as Node 22 does. */
  const wants = (filename: string) => policy(filename) || (ts.isTypeScript(filename) && !NODE_MODULES.test(filename));

  /** The text to compile for a module and the format to compile it as; undefined: as it is. */
  const decide: ChangeFunction = (content, filename, format, module) => {
    busy = true;
    try {
      const instrument = policy(filename);
      let moduleType: 'esm' | 'cjs' | undefined = format === 'module' ? 'esm' : format === 'commonjs' ? 'cjs' : undefined;
      let map: InstrumentModule.InstrumentModuleOptions['inputSourceMap'];
      const strip = ts.isTypeScript(filename) && ts.isFileAsOnDisk(content, filename);
      const original = content;
      if (strip) {
        let nodeFormat = moduleType === undefined ? ts.formatOf(filename) : format;
        ({ code: content, map } = ts.stripTypes(content, filename));
        // Without a package "type": by its syntax, as Node's own detection would decide it.
        nodeFormat ??= ts.hasModuleSyntax(content, filename) ? 'module' : 'commonjs';
        format = nodeFormat;
        moduleType = nodeFormat === 'module' ? 'esm' : 'cjs';
      }
      // An ES module entry point is loaded again by the ES module loader, which instruments it (hooks.ts).
      const esmEntry = moduleType === 'esm' && module.id === '.';
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
          if (moduleType !== 'esm') loadRuntimeWithoutParent(settings.runtimeCjs);
        }
      }
      if (map !== undefined && maps && !esmEntry) {
        transform ??= require('../instrument-module.js') as typeof InstrumentModule;
        content = `${content}\n${transform.inlineMapComment(map)}\n`;
      }
      return content === original && !strip ? undefined : { content, format };
    } finally {
      busy = false;
    }
  };
  const decideOnce = withLastDecision(decide);
  const change: ChangeFunction = (content, filename, format, module) => (busy || !wants(filename) ? undefined : decideOnce(content, filename, format, module));

  // Where another hook's handler calls _compile with its output (or a module is compiled without a handler).
  const fallback = (compile: Compile): Compile =>
    function _compile(this: unknown, content, filename, ...rest) {
      if (typeof content !== 'string' || typeof filename !== 'string') return compile.call(this, content, filename, ...rest);
      const format = rest[0] === 'module' || rest[0] === 'commonjs' ? rest[0] : undefined;
      const changed = change(content, filename, format, (this ?? {}) as ModuleObject);
      if (changed !== undefined) {
        content = changed.content;
        if (changed.format !== format) rest[0] = changed.format;
      }
      // The modules this one requires are instrumented too.
      return compile.call(this, content, filename, ...rest);
    };
  const changedEarlier = new Set<string>();
  const changedBefore = (filename: string) => changedEarlier.delete(filename);
  const hook = installCompileHook({ wants, change, changedBefore, alsoJs: ['.ts', '.cts', '.mts'] }, fallback);

  /** Loads the transform as `change` does, with the hook off so that its own files load as they are. */
  const loadTransform = (): typeof InstrumentModule.instrumentModule => {
    if (transform !== undefined) return transform.instrumentModule;
    const was = busy;
    busy = true;
    try {
      return (transform = require('../instrument-module.js') as typeof InstrumentModule).instrumentModule;
    } finally {
      busy = was;
    }
  };

  /**
   * On demand, nothing kept per module: `change` again for the module Node has in its cache, with
   * the file's text (what Node's own handler read) and the format Node gave it (kept on the module
   * object), so the cache of instrumented modules has the result under the key it was stored by,
   * or the deterministic transform makes it again. A module another hook's handler compiled was
   * changed from that hook's output, which is not on disk: the code would differ, so it is not
   * offered (the handler is not Node's own).
   */
  const sourceOf = (path: string): string | undefined => {
    if (path.startsWith('file:') || !policy(path)) return undefined;
    const module = (Module as unknown as { _cache: Record<string, ModuleObject | undefined> })._cache[path];
    if (module === undefined || !loadedByNode(path)) return undefined;
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    return change(content, path, formatOf(module), module)?.content;
  };
  const changeBefore = (content: string, filename: string, format: NodeFormat): Changed | undefined => {
    // Another hook's handler for the extension (ts-node, tsx/cjs, @babel/register) compiles what
    // Node's handler it calls returns: its output reaches the fallback, as on Node 20, once the
    // compile comes (for an `import`, long after the window the module's creation opened).
    if (!loadedByNode(filename)) {
      hook.expectCompile(filename);
      return undefined;
    }
    const changed = change(content, filename, format, {});
    if (changed !== undefined) changedEarlier.add(filename);
    return changed;
  };
  return { sourceOf, transform: loadTransform, cache, policy, changeBefore };
}
