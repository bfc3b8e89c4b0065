/**
 * The one plugin every bundler adapter is made from: a thin layer over `instrument()`. It runs
 * before the bundler's own TypeScript/JSX step (`enforce: 'pre'`), so the transform sees the file
 * as written: the site table names original lines and columns, and the bundler chains our map
 * into its own output map like any other plugin's. webpack and Rspack may run it after their
 * loaders instead (`afterLoaders`: the checks then skip ts-loader's and babel-loader's work), where
 * the sites name original lines through the loaders' maps.
 *
 * It is unplugin's factory (factory.ts hands it to unplugin for every bundler but Vite), written so
 * that this module does not load unplugin: Vite's plugin is made here (vitePlugin), as unplugin
 * would make it, so that `trapdoor-js/vite` and `trapdoor-js/vitest` load neither unplugin nor what
 * it loads (its source-map libraries): in Vitest's main process, under `trapdoor test`, a run whose
 * modules all come from the cache needs none of it.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { makeDirectory } from '../make-directory.js';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { InstrumentResult, RawSourceMap, TransformError } from '@trapdoor-js/transform';
import type { SourceMapCompact, UnpluginBuildContext, UnpluginContext, UnpluginContextMeta, UnpluginFactory, UnpluginOptions } from 'unplugin';
import type { Plugin as VitePlugin } from 'vite';
import { locate } from '../loaders/locations.js';
import { makePolicy, type Policy } from '../loaders/settings.js';
import { setupEsbuildLoad, type EsbuildLike, type EsbuildLoadCache, type StoredModule } from './esbuild-load.js';
import { tableBeforeRepeatedTail } from '../loaders/bun/import-equals.js';
import { AdapterCache } from './module-cache.js';
import { PluginOptionError } from './options.js';
import { resolveOptions, type ResolvedOptions, type TrapdoorPluginOptions } from './options.js';
import { runtimeAssets, runtimePackageDir, type RuntimeAsset } from './runtime-assets.js';

export type { TrapdoorPluginOptions } from './options.js';
export { PluginOptionError } from './options.js';

/** What the transform can parse, before the include/exclude globs decide (checked in the bundler, cheaply). */
const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/;
/**
 * The module's path, or undefined for ids that are not a file as written: virtual modules (`\0`)
 * and ids with a query (`?raw`, `?worker`, `?url` are other things made from the file).
 */
function filePath(id: string): string | undefined {
  if (id.includes('\0') || id.includes('?') || id.includes('#')) return undefined;
  return id;
}

/**
 * The parts of Vite's dev-server transform context (its TransformPluginContext, Vite 5 to 8) that
 * say what happened to a module before this plugin: the code as loaded, and the maps of the plugins
 * that changed it so far (combined into `combinedMap` once something asked for it).
 */
interface ViteDevContext {
  originalCode?: unknown;
  sourcemapChain?: unknown;
  combinedMap?: unknown;
}

/** Vite's dev server (Vitest's too), not a build: it fills a map's missing `sourcesContent` by reading the file again. */
function isViteDev(context: ViteDevContext): boolean {
  return typeof context.originalCode === 'string' && Array.isArray(context.sourcemapChain);
}

/** What came into this plugin: the map back to the file as written, if plugins before it changed the module. */
interface Incoming {
  /** Undefined when the code is the file as written, or when nothing maps it back. */
  map: RawSourceMap | undefined;
  /** The code is known to be the module as loaded (Vite's dev server) or the file as written, with no map before it. */
  asLoaded: boolean;
  /** The code is known to differ from the file as written: a compiler's output (with `map`, or without one). */
  changed: boolean;
}

const AS_LOADED: Incoming = { map: undefined, asLoaded: true, changed: false };
const UNKNOWN: Incoming = { map: undefined, asLoaded: false, changed: false };

/**
 * When plugins or loaders before this one changed the file (a TypeScript plugin placed first, a
 * Vue or Svelte compiler), the map from their output back to the file as written, so the sites
 * name original lines. Undefined when the code is the file as written (the usual case, as this
 * plugin runs first), which costs no map composition. `afterLoaders`: webpack's and Rspack's
 * loaders ran before this one, so a module without a map is compared with its file too.
 */
function incomingMap(context: UnpluginBuildContext, code: string, path: string, afterLoaders: boolean): Incoming {
  // Vite's dev server says so itself: the code is what its load step gave (the file as read, or a
  // load hook's answer without a map) when no plugin changed it and no map came with it. Then the
  // file is not read again (a read and a comparison per module on every run of a test runner).
  const vite = context as ViteDevContext;
  if (isViteDev(vite) && code === vite.originalCode && (vite.sourcemapChain as unknown[]).length === 0 && vite.combinedMap == null) return AS_LOADED;
  // Where the bundler can give one: Rollup-like contexts always can (then only a changed file needs
  // it); webpack and Rspack pass the loaders' map when there is one; esbuild and Bun load the file
  // for this plugin, so the code is the file as written and the disk is not read again.
  const rollupLike = context as { getCombinedSourcemap?: () => unknown };
  let source: (() => RawSourceMap | string | undefined) | undefined;
  if (typeof rollupLike.getCombinedSourcemap === 'function') source = () => rollupLike.getCombinedSourcemap!() as RawSourceMap;
  else {
    const native = context.getNativeBuildContext?.();
    if (native && (native.framework === 'webpack' || native.framework === 'rspack')) {
      const given = native.inputSourceMap as RawSourceMap | string | undefined;
      if (given) source = () => given;
      else if (afterLoaders) source = () => undefined; // changed without a map: told in the build's warnings
    }
  }
  if (source === undefined) return UNKNOWN;
  try {
    if (readFileSync(path, 'utf8') === code) return AS_LOADED;
  } catch {
    return UNKNOWN; // not a file on disk: nothing to map back to
  }
  const map = source();
  if (map === undefined) return { map: undefined, asLoaded: false, changed: true };
  return { map: withFileSources(typeof map === 'string' ? (JSON.parse(map) as RawSourceMap) : map, path), asLoaded: false, changed: true };
}

/**
 * The sources of a map a compiler made for this module, as files: compilers write them relative
 * to where their own output would go (@rollup/plugin-typescript: its outDir), which the module's
 * folder is not. A source that is no file from here but has the module's own name is the module.
 */
function withFileSources(map: RawSourceMap, path: string): RawSourceMap {
  const sources = map.sources.map((source) => {
    if (source === null || isAbsolute(source) || /^[a-z][\w+.-]*:/i.test(source)) return source;
    const here = resolve(dirname(path), map.sourceRoot ?? '', source);
    return existsSync(here) ? here : basename(source) === basename(path) ? path : source;
  });
  return { ...map, sourceRoot: undefined, sources };
}

/** `TransformError`'s message starts with `file:line:column: `, which bundlers print themselves. */
function reason(error: TransformError): string {
  const first = error.message.split('\n')[0] ?? error.message;
  return error.file !== undefined && first.startsWith(`${error.file}:`) ? first.replace(/^.*?:\d+:\d+: /, '') : first;
}

type ExternalTest = (id: string, ...rest: unknown[]) => unknown;

/** Rollup's and Rolldown's `external` with the runtime added, whatever form the user gave it in. */
function withExternal(external: unknown, runtime: string): unknown {
  if (typeof external === 'function') {
    const user = external as ExternalTest;
    return (id: string, ...rest: unknown[]) => id === runtime || user(id, ...rest);
  }
  const list: unknown[] = external === undefined || external === null ? [] : Array.isArray(external) ? external : [external];
  return [...list, runtime];
}

interface WebpackLikeOptions {
  externals?: unknown;
  module?: { rules?: unknown[] };
}

/**
 * webpack and Rspack compile `createRequire(file)(id)` into their own module lookup, in which the
 * runtime's files (the inspector, loaded on activation) are not modules: in the runtime's own
 * modules, left to Node's `createRequire`.
 */
function keepRuntimeRequires(options: WebpackLikeOptions, root: string): void {
  const dir = runtimePackageDir(root);
  if (dir === undefined) return; // reported by the assets' step, with the option's name
  const folders = [dir, realpathSync(dir)].map((folder) => folder + sep);
  const rule = { test: (file: string) => folders.some((folder) => file.startsWith(folder)), parser: { createRequire: false } };
  options.module ??= {};
  options.module.rules = [...(options.module.rules ?? []), rule];
}

/** webpack and Rspack: the runtime loaded with Node's own `require` at run time (`node-commonjs`), in CommonJS and ES module output alike. */
function externalizeForWebpack(options: WebpackLikeOptions, runtime: string): void {
  const ours = { [runtime]: `node-commonjs ${runtime}` };
  const given = options.externals;
  options.externals = given === undefined ? [ours] : Array.isArray(given) ? [...given, ours] : [given, ours];
}

/** The runtime's files for `trapdoor-runtime/` beside the bundle (runtime-assets.ts); an error names the option. */
function assetsFor(root: string): RuntimeAsset[] {
  const dir = runtimePackageDir(root);
  if (dir === undefined) throw new PluginOptionError('bundleRuntime', `@trapdoor-js/runtime is not installed (resolved from ${root}): the bundle needs its files`);
  return runtimeAssets(dir);
}

/** esbuild and Bun: their plugins write files themselves, into the build's output folder, once the build succeeded. */
function writeAssets(outdir: string, assets: RuntimeAsset[]): void {
  for (const asset of assets) {
    const file = join(outdir, ...asset.fileName.split('/'));
    makeDirectory(dirname(file));
    writeFileSync(file, asset.source);
  }
}

type TransformOutput = { code: string; map: SourceMapCompact } | undefined;

/**
 * The transform through the disk cache (the `cache` option): a hit answers without parsing; a
 * miss instruments and stores the answer (a syntax error throws through `this.error` and is never
 * stored). Without a cache, `instrument` as it is.
 */
function cached(cache: AdapterCache | undefined, code: string, path: string, input: Incoming, instrument: () => TransformOutput | Promise<TransformOutput>): TransformOutput | Promise<TransformOutput> {
  if (cache === undefined) return instrument();
  const key = cache.key(code, path, input.map);
  const hit = cache.get(key, path);
  if (hit !== undefined) return (hit ?? undefined) as TransformOutput;
  const store = (output: TransformOutput): TransformOutput => {
    cache.set(key, output === undefined ? null : { code: output.code, map: output.map });
    return output;
  };
  const output = instrument();
  return output instanceof Promise ? output.then(store) : store(output);
}

/** The disk cache for esbuild's onLoad (esbuild-load.ts), opened at the first module; no input map there. */
function esbuildCache(open: () => AdapterCache | undefined): EsbuildLoadCache {
  return {
    entry(code, path) {
      const store = open();
      if (store === undefined) return undefined;
      const key = store.key(code, path, undefined);
      return { stored: store.get(key, path) as StoredModule | undefined, store: (stored) => store.set(key, stored) };
    },
  };
}

/**
 * Vite's dev server, for a module this plugin gets as loaded: the map with the module's text as
 * its `sourcesContent` (the map's one source is the module; as stored in the cache, it has none).
 * Without it, Vite reads the file again for every module whose combined map lacks it.
 */
function withSourcesContent(output: TransformOutput, code: string): TransformOutput {
  if (output === undefined) return output;
  return { code: output.code, map: { ...output.map, sourcesContent: [code] } };
}

type Instrumenter = typeof import('./bundler-instrument.js');
let instrumenter: Instrumenter | undefined;
let loadingInstrumenter: Promise<Instrumenter> | undefined;

/**
 * `use` with the transform (bundler-instrument.ts), loaded on the first module that needs it:
 * at once when it is loaded, else a promise (every bundler here takes an async transform hook).
 */
function withInstrumenter<T>(use: (instrumenter: Instrumenter) => T): T | Promise<T> {
  if (instrumenter !== undefined) return use(instrumenter);
  loadingInstrumenter ??= import('./bundler-instrument.js').then((loaded) => (instrumenter = loaded));
  return loadingInstrumenter.then(use);
}

/**
 * The end-of-build warning when `include` (or its default) took none of the build's `seen`
 * JavaScript and TypeScript files: the option by name and its value, so that a glob that names
 * nothing (the wrong root, `src/*` for files in subfolders) does not pass for a build with no loop.
 */
export function noMatchWarning(options: Pick<ResolvedOptions, 'include' | 'exclude'>, root: string, seen: number): string {
  const files = `${seen} JavaScript and TypeScript ${seen === 1 ? 'file' : 'files'}`;
  const include = options.include.length === 0 ? 'not set: every file outside node_modules' : `${JSON.stringify(options.include)}, relative to ${root}`;
  const exclude = options.exclude.length === 0 ? '' : ` once 'exclude' (${JSON.stringify(options.exclude)}) left its files out`;
  return `trapdoor-js: option 'include' (${include}) took none of the ${files} of this build${exclude}: nothing was instrumented`;
}

/** A syntax error of the transform (the parser rejected the file), by its documented code. */
function isSyntaxError(error: unknown): error is TransformError {
  return error instanceof Error && (error as { code?: unknown }).code === 'ERR_TRAPDOOR_SYNTAX';
}

export const unpluginFactory: UnpluginFactory<TrapdoorPluginOptions | undefined, false> = (rawOptions, meta) => pluginOf(resolveOptions(rawOptions), meta);

/**
 * The plugin for resolved options. It reads them at every module, so that their owner may still
 * change `coverageHints` before the first one (vitest-plugin.ts: once Vitest's config, its command
 * line included, says whether coverage is on); the disk cache's key takes them at the first module.
 */
type RollupLikeInput = { plugins?: unknown; output?: unknown };

/**
 * Whether Rollup's outputs write a source map, from its input options: known only where they
 * carry the outputs (`output`, as the CLI and `rollup.watch` pass them) and no plugin can change
 * those (an `outputOptions` hook, or a plugin still a promise); else undefined.
 */
function rollupOutputMaps(input: RollupLikeInput): boolean | undefined {
  if (input.output === undefined || input.output === null) return undefined;
  const outputs = (Array.isArray(input.output) ? input.output : [input.output]) as { sourcemap?: unknown; plugins?: unknown }[];
  const mayChange = (plugins: unknown): boolean => {
    if (Array.isArray(plugins)) return plugins.some(mayChange);
    if (plugins === null || plugins === undefined || plugins === false) return false;
    return typeof plugins !== 'object' || typeof (plugins as { then?: unknown }).then === 'function' || 'outputOptions' in plugins;
  };
  if (mayChange(input.plugins) || outputs.some((output) => mayChange(output?.plugins))) return undefined;
  return outputs.some((output) => Boolean(output?.sourcemap));
}

/**
 * The warning for the modules `afterLoaders` got changed by the loaders before it with no map:
 * their checks name places in the loaders' output, which the debugger would show over the file as
 * written. `count` of them, the first by name.
 */
export function unmappedWarning(first: string, count: number): string {
  const which = count === 1 ? first : `${count} modules (the first: ${first})`;
  return (
    `trapdoor-js: option 'afterLoaders': ${which} came from the loaders before trapdoor changed and without a source map, ` +
    "so the debugger's lines there are off: have those loaders make maps (ts-loader: `sourceMap: true` in tsconfig.json; babel-loader: `sourceMaps: true`; webpack asks loaders for none under `devtool: false`), or leave 'afterLoaders' off"
  );
}

function pluginOf(options: ResolvedOptions, meta: UnpluginContextMeta): UnpluginOptions {
  // Only webpack and Rspack run loaders; elsewhere plugins are ordered by their place in the list.
  if (options.afterLoaders && meta.framework !== 'webpack' && meta.framework !== 'rspack') {
    throw new PluginOptionError('afterLoaders', `is for webpack and Rspack, whose loaders run apart from their plugins; in ${meta.framework}, put trapdoor's plugin after the others in the list (its map is chained either way)`);
  }
  let root = options.root;
  let policy: Policy | undefined;
  const policyFor = (): Policy => {
    policy ??= makePolicy({
      cwd: root ?? process.cwd(),
      include: options.include,
      exclude: options.exclude,
      ownDirs: locate({ canRead: true }).ownDirs,
    });
    return policy;
  };

  // Whether `include` (or its default) took any file of the build: a build where it took none
  // gets one warning at its end, in the bundler's own channel (noMatchWarning).
  const coverage = { seen: 0, taken: 0, warned: false, serving: false };
  const wanted = (path: string): boolean => {
    coverage.seen++;
    const taken = policyFor()(path);
    if (taken) coverage.taken++;
    return taken;
  };
  /** The warning for a build whose code files `include` took none of, once per plugin (a rebuild that saw none says nothing new). */
  const noMatch = (): string | undefined => {
    if (coverage.warned || coverage.serving || coverage.taken > 0 || coverage.seen === 0) return undefined;
    coverage.warned = true;
    return noMatchWarning(options, root ?? process.cwd(), coverage.seen);
  };
  // afterLoaders: the modules of this build that came changed without a map (unmappedWarning).
  const unmapped: string[] = [];

  // The disk cache (module-cache.ts), opened at the first module, once the root is known.
  let cache: AdapterCache | undefined | false = options.cache ? undefined : false;
  const cacheFor = (): AdapterCache | undefined => {
    if (cache === undefined) cache = AdapterCache.open(root ?? process.cwd(), { framework: meta.framework, options }) ?? false;
    return cache === false ? undefined : cache;
  };

  // esbuild: its own onLoad (esbuild-load.ts), which costs a build less than unplugin's transform there.
  const esbuild = meta.framework === 'esbuild';
  // A self-contained bundle gets the runtime's files beside it (runtime-assets.ts): emitted as
  // assets where the bundler takes them (Rollup, Vite, Rolldown: emitFile; webpack, Rspack: the
  // compilation's assets), written at the build's end by esbuild's and Bun's plugins.
  // Vite's server builds drop emitted assets (`build.emitAssets` is off there): written in its writeBundle.
  const emitsAssets = options.bundleRuntime && meta.framework !== 'esbuild' && meta.framework !== 'bun' && meta.framework !== 'vite';
  /**
   * The syntax error the transform threw (the parser rejected the file) as the bundler's own
   * error format, with its own frame; nothing half-instrumented is emitted. Rollup, Vite,
   * Rolldown and esbuild print `loc` themselves; webpack, Rspack and Bun drop it, so there the
   * message keeps `file:line:column`. unplugin's Bun plugin names the plugin itself (`[unplugin] trapdoor: …`).
   */
  const reportSyntaxError = (context: UnpluginBuildContext & UnpluginContext, error: TransformError, path: string, inputMap: RawSourceMap | undefined, { codeFrame, originalPosition }: Instrumenter): undefined => {
    const framework = context.getNativeBuildContext?.().framework;
    const printsLoc = framework === undefined || framework === 'esbuild';
    let [located, ...frameLines] = error.message.split('\n');
    let loc = { file: path, line: error.line ?? 1, column: error.column ?? 0 };
    // Code that plugins before this one compiled: the position and frame in the file as written.
    const original = inputMap === undefined ? undefined : originalPosition(inputMap, loc.line, loc.column);
    if (original !== undefined) {
      loc = { file: original.file, line: original.line, column: original.column };
      located = `${original.file}:${original.line}:${original.column + 1}: ${reason(error)}`;
      frameLines = original.text === undefined ? [] : [codeFrame(original.text, original.line, original.column)];
    }
    const message = printsLoc ? reason(error) : framework === 'bun' ? located! : `trapdoor: ${located}`;
    // Rollup and Vite print an error's `frame` in place of its stack; a `loc` gets none made for it.
    const frame = framework === undefined && frameLines.length > 0 ? frameLines.join('\n') : undefined;
    context.error({ message, id: path, loc, ...(frame === undefined ? {} : { frame }) });
    return undefined;
  };

  /**
   * Instruments one module: the bundler's error for a syntax error, undefined when there is
   * nothing to check. The parse runs on libuv's thread pool (instrumentAsync), as every bundler
   * here awaits its transform hooks and hands over several modules at once. `withMap`: the
   * bundler writes a source map of this build (else the map is not made; see writesMap).
   */
  const transform = (context: UnpluginBuildContext & UnpluginContext, code: string, path: string, input: Incoming, withMap: boolean): Promise<TransformOutput> => {
    const inputMap = input.map;
    return Promise.resolve(withInstrumenter((instrumenter) => instrumenter.instrumentForBundlerAsync(code, path, options.runtime, inputMap, options.coverageHints, false, input.changed))).then(
      (result) => {
        if (result.skipped !== undefined || result.sites.length === 0) return undefined;
        let output = result.code;
        // Bun.build has its runtime's repeat of a TypeScript module's last statements (import-equals.ts).
        if (context.getNativeBuildContext?.()?.framework === 'bun' && TYPESCRIPT.test(path)) output = tableBeforeRepeatedTail(code, output, /x$/i.test(path));
        if (!withMap) return { code: output, map: null as unknown as SourceMapCompact };
        // The bundler chains this map to the ones before it. Rollup, Vite and Rolldown take the
        // source's text from the module as loaded, so it need not cross into them again (webpack,
        // Rspack and Bun take it from this map; Vite's dev server gets it after the cache, see
        // withSourcesContent).
        const rollupLike = context.getNativeBuildContext?.() === undefined;
        const map = rollupLike ? { ...result.insertMap, sourcesContent: undefined } : result.insertMap;
        return { code: output, map: map as unknown as SourceMapCompact };
      },
      (error: unknown) => {
        if (isSyntaxError(error)) return reportSyntaxError(context, error, path, inputMap, instrumenter!);
        throw error;
      },
    );
  };

  /**
   * Whether the bundler writes a source map of this build, so that the module's map matters:
   * not when it is sure to drop it. webpack and Rspack with `devtool: false` (unplugin's loader
   * then passes the incoming map on and drops ours: its `this.sourceMap === false`); a Vite build
   * whose environment's `build.sourcemap` is off (Vite's own plugins answer `map: null` then, as
   * this does). Rollup and Rolldown where their output options are known before the transforms
   * and none has `sourcemap` (outputMaps). Elsewhere (Vite's dev server maps every module; Bun)
   * the map is made. esbuild: esbuild-load.ts.
   */
  const writesMap = (context: UnpluginBuildContext & UnpluginContext): boolean => {
    const native = context.getNativeBuildContext?.();
    if (native !== undefined) return native.framework === 'webpack' || native.framework === 'rspack' ? (native.loaderContext as { sourceMap?: unknown } | undefined)?.sourceMap !== false : true;
    if (meta.framework === 'rollup' || meta.framework === 'rolldown') return outputMaps ?? true;
    if (meta.framework !== 'vite' || vite.command !== 'build') return true;
    const environment = (context as { environment?: { config?: { build?: { sourcemap?: unknown } } } }).environment;
    const build = environment?.config?.build ?? vite.build;
    return build === undefined || Boolean(build.sourcemap);
  };
  /**
   * Rollup and Rolldown: whether an output of the build writes a source map, where that is known
   * before the transforms run; undefined (not known: the map is made) elsewhere. Rolldown
   * transforms in `generate`/`write`, after every plugin's `outputOptions` hook: this one records
   * the output's `sourcemap` (once an output of this plugin's builds had one, they all make the
   * map: a watch session's outputs may build at once). Rollup transforms in `rollup()`, before
   * an output is given, except where its input options carry the outputs (the CLI and a config
   * file, `rollup.watch`) and no plugin there can change them (an `outputOptions` hook).
   * renderStart sees the output as it is: one with a map where none was made is warned about,
   * and the next build makes the map.
   */
  let outputMaps: boolean | undefined;
  const renderStart = function (this: { warn: (message: string) => void }, output: { sourcemap?: unknown }): void {
    if (outputMaps !== false || !output.sourcemap) return;
    outputMaps = undefined;
    this.warn(
      'this output writes a source map (output.sourcemap), but the output options known before the transforms had none, so trapdoor made no maps for this build: ' +
        "positions inside instrumented modules in this output's map are off. The next build makes them; so do output options given with the input options (a config file's `output`).",
    );
  };
  /** What Vite's resolved config says (configResolved). */
  const vite: { command?: string; build?: { sourcemap?: unknown } } = {};

  return {
    name: 'trapdoor',
    // Before the bundler's own TypeScript step (see the top), or after webpack's loaders when asked.
    enforce: options.afterLoaders ? 'post' : 'pre',
    buildStart: emitsAssets
      ? function () {
          for (const { fileName, source } of assetsFor(root ?? process.cwd())) this.emitFile({ type: 'asset', fileName, source });
        }
      : undefined,
    // Rollup, Vite, Rolldown: their `this.warn`; webpack and Rspack: the compilation's warnings
    // (unplugin calls this once the modules are built). esbuild's and Bun's in their own setup.
    buildEnd:
      esbuild || meta.framework === 'bun'
        ? undefined
        : function (this: UnpluginBuildContext & { warn?: (message: string) => void }, error?: unknown) {
            if (error !== undefined && error !== null) return;
            const native = this.getNativeBuildContext?.();
            if (native && (native.framework === 'webpack' || native.framework === 'rspack')) {
              const compilation = native.compilation as { errors: unknown[]; warnings: unknown[]; compiler: { webpack: { WebpackError: new (message: string) => Error } } };
              if (compilation.errors.length > 0) return;
              const { WebpackError } = compilation.compiler.webpack;
              const message = noMatch();
              if (message !== undefined) compilation.warnings.push(new WebpackError(message));
              if (unmapped.length > 0) compilation.warnings.push(new WebpackError(unmappedWarning(unmapped[0]!, unmapped.length)));
              unmapped.length = 0;
              return;
            }
            const message = noMatch();
            if (message !== undefined) this.warn?.(message);
          },
    transform: esbuild
      ? undefined
      : {
          filter: { id: { include: CODE_FILE, exclude: /\0/ } },
          handler(code, id) {
            // The filter again: a bundler may not apply it (Vite before 6.3, Rollup before 4.40).
            const path = filePath(id);
            if (path === undefined || !CODE_FILE.test(path) || !wanted(path)) return undefined;
            const input = incomingMap(this, code, path, options.afterLoaders);
            if (input.changed && input.map === undefined) unmapped.push(path);
            // The cache's entries hold a map: with the cache on, the map is made.
            const store = cacheFor();
            const output = cached(store, code, path, input, () => transform(this, code, path, input, store !== undefined || writesMap(this)));
            if (!input.asLoaded || !isViteDev(this as ViteDevContext)) return output;
            return output instanceof Promise ? output.then((done) => withSourcesContent(done, code)) : withSourcesContent(output, code);
          },
        },
    // The runtime stays a module of its own, imported at run time from where it is installed (see
    // the README): its agent runs in a worker thread loaded from the runtime's own files.
    rollup: {
      options(input) {
        outputMaps = rollupOutputMaps(input as RollupLikeInput);
        return options.bundleRuntime ? input : { ...input, external: withExternal(input.external, options.runtime) as typeof input.external };
      },
      renderStart,
    },
    rolldown: {
      options(input) {
        root ??= input.cwd;
        return options.bundleRuntime ? input : { ...input, external: withExternal(input.external, options.runtime) as typeof input.external };
      },
      outputOptions(output) {
        outputMaps = outputMaps === true || Boolean(output.sourcemap);
        return null;
      },
      renderStart,
    },
    esbuild: {
      config(build) {
        root ??= build.absWorkingDir;
        if (!options.bundleRuntime) build.external = [...(build.external ?? []), options.runtime];
      },
      setup(build) {
        if (options.bundleRuntime) {
          build.onEnd((result) => {
            const { outdir, outfile, write, absWorkingDir } = build.initialOptions;
            const folder = outdir ?? (outfile === undefined ? undefined : dirname(outfile));
            if (result.errors.length > 0 || write === false || folder === undefined) return;
            writeAssets(resolve(absWorkingDir ?? process.cwd(), folder), assetsFor(root ?? process.cwd()));
          });
        }
        build.onEnd((result) => {
          const message = result.errors.length > 0 ? undefined : noMatch();
          return message === undefined ? undefined : { warnings: [{ text: message }] };
        });
        setupEsbuildLoad(build as unknown as EsbuildLike, {
          filter: CODE_FILE,
          wanted: (path) => filePath(path) !== undefined && wanted(path),
          // esbuild maps nodes by their starts alone: a map without the segments it never finds (insert-map.ts).
          // Sync: the async parse measured slower here (rxjs, paired A/B: +8 ms wall, +28 ms CPU).
          instrument: (code, path) => withInstrumenter(({ instrumentForBundler }) => instrumentForBundler(code, path, options.runtime, undefined, options.coverageHints, true)),
          isSyntaxError,
          reason,
          cache: options.cache ? esbuildCache(cacheFor) : undefined,
        });
      },
    },
    bun: {
      setup(build) {
        const config = build.config as { external?: string[]; outdir?: string };
        if (!options.bundleRuntime) config.external = [...(config.external ?? []), options.runtime];
        const onEnd = (build as { onEnd?: (callback: (result: { success: boolean }) => void) => void }).onEnd;
        onEnd?.call(build, (result) => {
          if (!result.success) return;
          if (options.bundleRuntime && config.outdir !== undefined) writeAssets(resolve(config.outdir), assetsFor(root ?? process.cwd()));
          // Bun.build's plugins have no warning channel: its log's form (as Bun prints a warning).
          const message = noMatch();
          if (message !== undefined) console.warn(`warn: ${message}`);
        });
      },
    },
    vite: {
      config: () => (options.bundleRuntime ? {} : { ssr: { external: [options.runtime] } }),
      configResolved(config) {
        root ??= config.root;
        vite.command = config.command;
        vite.build = config.build;
        // The dev server (Vitest's too) ends no build: its modules come as they are asked for.
        coverage.serving = config.command === 'serve';
      },
      writeBundle(output) {
        const folder = output.dir ?? (output.file === undefined ? undefined : dirname(output.file));
        if (options.bundleRuntime && folder !== undefined) writeAssets(resolve(root ?? process.cwd(), folder), assetsFor(root ?? process.cwd()));
      },
      // Client bundles are for browsers, whose own DevTools pause a busy loop: left alone unless asked.
      applyToEnvironment(environment) {
        return options.client || environment.config.consumer === 'server';
      },
    },
    webpack(compiler) {
      root ??= compiler.context;
      if (!options.bundleRuntime) externalizeForWebpack(compiler.options, options.runtime);
      else keepRuntimeRequires(compiler.options as WebpackLikeOptions, root ?? process.cwd());
    },
    rspack(compiler) {
      root ??= compiler.context;
      if (!options.bundleRuntime) externalizeForWebpack(compiler.options, options.runtime);
      else keepRuntimeRequires(compiler.options as WebpackLikeOptions, root ?? process.cwd());
    },
  };
}

/**
 * `trapdoor-js/vite`: the plugin as unplugin's `createUnplugin(unpluginFactory).vite` makes it
 * (unplugin 3: the factory's plugin with its `vite` hooks merged in; the transform's filter is
 * Vite's own hook filter, which the handler applies again for Vites without one), without loading
 * unplugin. The other bundlers' hooks are left out. `resolved`: options resolved already, which
 * the caller may still change until the first module (see pluginOf).
 */
export function vitePlugin(options?: TrapdoorPluginOptions, resolved: ResolvedOptions = resolveOptions(options)): VitePlugin {
  const { vite, ...plugin } = pluginOf(resolved, { framework: 'vite' } as UnpluginContextMeta);
  const merged: Record<string, unknown> = { ...plugin, ...vite };
  for (const name of Object.keys(merged)) if (merged[name] === undefined || OTHER_BUNDLERS.has(name)) delete merged[name];
  return merged as unknown as VitePlugin;
}

/** The factory's hooks for the other bundlers, which a Vite plugin does not carry. */
const OTHER_BUNDLERS = new Set(['rollup', 'rolldown', 'esbuild', 'bun', 'webpack', 'rspack']);
