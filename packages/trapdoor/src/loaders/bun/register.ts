/**
 * `bun --preload trapdoor-js/register app.js` (what `trapdoor run --runtime bun` does): a runtime
 * plugin whose onLoad instruments the program's own modules as Bun loads them. Bun compiles
 * TypeScript and JSX itself, so an ES module comes back as instrumented source with the loader its
 * extension calls for; CommonJS is evaluated by commonjs.ts (Bun cannot take CommonJS text from a
 * plugin).
 *
 * onLoad is synchronous: Bun requires that for modules reached through `require()`.
 *
 * Only the program's files reach onLoad at all: the filter leaves out trapdoor's own packages and,
 * unless an --include glob reaches into it, node_modules — whatever onLoad receives it must return
 * itself, and Bun's own loading is the faithful one.
 *
 * Source maps: Bun ignores inline maps in a plugin's output, so none is appended; Bun's own map
 * (of its TypeScript compilation) still applies. Stack traces keep every file and line; columns on
 * a line where a check was inserted move.
 *
 * TypeScript and JSX without import/export: Bun runs such a file as CommonJS. CommonJS cannot come
 * back from onLoad (see commonjs.ts) and `_compile` takes JavaScript only, so it would have to be
 * compiled with Bun.Transpiler, which does not keep lines. Unless the file assigns to
 * `module.exports`/`exports`, it runs as an ES module instead (strict mode, top-level `this`
 * undefined): its lines stay right. One that does is compiled with Bun.Transpiler.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { installModuleDump } from '../debug-dump.js';
import type * as InstrumentModule from '../instrument-module.js';
import type { ModuleType } from '../instrument-module.js';
import { InstrumentCache, instrumentCached } from '../../cache/instrumented.js';
import { settingsFromEnv } from '../locations.js';
import { claimThread, ENV, makePolicy, readEnv, type LoaderSettings } from '../settings.js';
import { evaluateCommonJs } from './commonjs.js';
import { offerInstrumentedSource } from '../instrumented-source.js';
import { tableBeforeRepeatedTail } from './import-equals.js';
import '../preload-runtime.js'; // the runtime is always there, so attach works (preload-runtime.ts)

type Loader = 'js' | 'jsx' | 'ts' | 'tsx';

interface BunApi {
  main: string;
  plugin(plugin: {
    name: string;
    setup(build: {
      onLoad(options: { filter: RegExp }, callback: (args: { path: string }) => unknown): void;
    }): void;
  }): void;
  Transpiler: new (options: { loader: Loader }) => {
    transformSync(code: string): string;
    scan(code: string): { exports: string[]; imports: Array<{ kind: string }> };
  };
}
const Bun = (globalThis as unknown as { Bun: BunApi }).Bun;
/** Set by `trapdoor test -- bun test --watch` (../../test-runners/bun-test.ts): see watchFile. */
const WATCH_ENV = 'TRAPDOOR_BUN_WATCH';

if (claimThread('bun')) {
  const settings = settingsFromEnv(process.cwd(), { canRead: true });
  const policy = makePolicy(settings);
  // Modules instrumented before (../../cache/); the transform is loaded on the first miss only
  // (synchronously: Bun's require() loads ES modules).
  const cache = InstrumentCache.open(settings.cwd);
  let transform: typeof InstrumentModule | undefined;
  const loadTransform = (): typeof InstrumentModule.instrumentModule =>
    (transform ??= createRequire(import.meta.url)('../instrument-module.js') as typeof InstrumentModule).instrumentModule;
  // With node_modules included, onLoad also sees the transform's own dependencies (@babel/parser,
  // which load() would evaluate as CommonJS itself, hiding its named exports from the transform):
  // then the transform is loaded now, before the plugin.
  if (includesDependencies(settings)) loadTransform();

  const watching = process.env[WATCH_ENV] === '1';
  /** What the module runs as: its code (instrumented, or Bun.Transpiler's for CommonJS TypeScript) and type. Nothing else done. */
  const prepare = (path: string, source: string): { code: string; moduleType: ModuleType; loader: Loader } => {
    const loader = loaderFor(path);
    let moduleType: ModuleType | undefined = /\.m[jt]s$/i.test(path) ? 'esm' : /\.c[jt]s$/i.test(path) ? 'cjs' : undefined;
    // Bun runs a TypeScript or JSX file without import/export as CommonJS, and its CommonJS from
    // here would have to be compiled by Bun.Transpiler, which moves lines. One that does not use
    // module/exports runs as an ES module instead, compiled by Bun with its lines (see the top).
    if (moduleType === undefined && loader !== 'js' && !usesCommonJs(source)) moduleType = 'esm';
    let code = source;
    if (policy(path)) {
      const out = instrumentCached(cache, source, {
        path,
        moduleType,
        runtimeEsm: settings.runtimeEsm,
        runtimeCjs: settings.runtimeCjs,
        inlineMap: 'never',
        readExternalMaps: true,
        // CommonJS gets the transform's runtime bindings as `trapdoor instrument --target bun`
        // writes them (a header on an early line), not commonJsBindings: 'end': Bun's excerpt of
        // a plugin's CommonJS is the compiled text anyway (test/e2e-error-output.test.ts,
        // BUN_COMMONJS), and the stand-ins after the last line cost more: CPU time over plain's in
        // the same round, 7 runs, 'end' vs the header: acorn 1.15x vs 1.07x, terser 1.13x vs
        // 1.09x, TypeScript 1.26x vs 1.26x (bench/overhead; likely because the stand-ins are
        // written twice, which stops JavaScriptCore from folding them in as constants).
      }, loadTransform);
      if (out.code !== undefined) code = out.code;
      moduleType ??= out.moduleType;
    }
    moduleType ??= hasModuleSyntax(source, loader) ? 'esm' : 'cjs';
    if (moduleType === 'esm') {
      if (code === source && loader !== 'js' && !hasModuleSyntax(source, loader)) code = `${source}\nexport {};\n`;
      else if (code !== source && (loader === 'ts' || loader === 'tsx')) code = tableBeforeRepeatedTail(source, code, loader === 'tsx');
    } else if (loader !== 'js') code = new Bun.Transpiler({ loader }).transformSync(code);
    return { code, moduleType, loader };
  };

  const load = (path: string): unknown => {
    if (watching) watchFile(path);
    const { code, moduleType, loader } = prepare(path, readFileSync(path, 'utf8'));
    if (moduleType === 'esm') return { contents: code, loader };
    return evaluateCommonJs(path, code, Bun.main, settings.runtimeCjs);
  };

  // The code a module ran, on demand (../instrumented-source.ts): prepared again from the file,
  // which the cache of instrumented modules (or the deterministic transform) makes the same code.
  // Bun names a module's frames by its path.
  const filter = filterFor(settings);
  offerInstrumentedSource((file) => {
    if (file.startsWith('file:') || !filter.test(file) || !policy(file)) return undefined;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    const { code } = prepare(file, source);
    return code === source ? undefined : code;
  });

  Bun.plugin({
    name: 'trapdoor',
    setup(build) {
      build.onLoad({ filter }, ({ path }) => load(path));
    },
  });
  installModuleDump(readEnv(ENV.dumpModules), settings.runtimeCjs);
}

/**
 * Tells Bun's watcher about a file this plugin loads. Bun 1.4 does not watch a file whose contents
 * a plugin's onLoad returned (it learns of a file when its own transpiler opens it: oven-sh/bun#4689,
 * #17270; the fixes oven-sh/bun#30608 and #33093 are not merged), so under --watch an edit would
 * rerun nothing. The workaround others use (DanielXMoore/Civet#2156): import the file also as text,
 * through Bun's own loader, which registers it; the `?` makes it another module than the one loading
 * (and keeps it from this plugin's filter). The module still runs from onLoad's result.
 */
function watchFile(path: string): void {
  (import(`${path}?`, { with: { type: 'text' } }) as Promise<unknown>).catch(() => {});
}

function loaderFor(path: string): Loader {
  if (/\.tsx$/i.test(path)) return 'tsx';
  if (/\.[cm]?ts$/i.test(path)) return 'ts';
  if (/\.jsx$/i.test(path)) return 'jsx';
  return 'js';
}

function includesDependencies(settings: LoaderSettings): boolean {
  return settings.include.some((g) => g.includes('node_modules'));
}

/**
 * Which files onLoad sees: JavaScript and TypeScript outside trapdoor's own packages, and outside
 * node_modules unless an --include glob names node_modules (then the policy decides per file).
 */
function filterFor(settings: LoaderSettings): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const own = settings.ownDirs.map(escape).join('|');
  const dependencies = includesDependencies(settings) ? '' : '(?!.*[\\\\/]node_modules[\\\\/])';
  return new RegExp(`^${own === '' ? '' : `(?!${own})`}${dependencies}.*\\.(?:[cm]?[jt]s|[jt]sx)$`, 'i');
}

/** Uses CommonJS's own bindings: assigns to `module.exports` or `exports`. */
function usesCommonJs(code: string): boolean {
  return /\b(?:module\s*\.\s*exports|exports\s*(?:\.|\[|=))/.test(code);
}

/**
 * Bun runs a file as an ES module when it has ES module syntax, whatever package.json says (.mjs
 * and .cjs aside); else as CommonJS. Bun's own scanner finds import and export statements; the
 * rest (`export {}`, import.meta, top-level await) it does not report, so they are looked for.
 */
function hasModuleSyntax(code: string, loader: Loader): boolean {
  try {
    const { exports, imports } = new Bun.Transpiler({ loader }).scan(code);
    if (exports.length > 0 || imports.some((i) => i.kind === 'import-statement')) return true;
  } catch {
    // a syntax error: Bun reports it in its own words when it loads the file
  }
  return /\bimport\.meta\b|^export\s*(?:\{|\*)|^(?:(?:const|let|var)\s+[^=]+=\s*)?await\b/m.test(code);
}
