/**
 * The Jest transformer `trapdoor test` wraps around each of the project's own (jest-config.ts),
 * also usable by hand as `trapdoor-js/jest`:
 *
 *   transform: { '\\.[jt]sx?$': ['trapdoor-js/jest', { transformer: 'babel-jest', options: {} }] }
 *
 * It runs the project's transformer (babel-jest with the project's Babel config, ts-jest, any
 * other) and then instruments its output as JavaScript, chaining the transformer's source map, so
 * sites and stack traces name the original (TypeScript) lines. The result goes into Jest's own
 * transform cache under a key made of the project transformer's key and trapdoor's (its version,
 * the runtime it binds, the include/exclude globs): a warm run instruments nothing.
 *
 * Instrumented code binds the runtime through jest-runtime.cts (or jest-runtime-esm.mts for
 * Jest's ES modules), which hands out the runtime of the worker process rather than a copy per
 * test file inside Jest's module sandbox.
 */
import crypto = require('node:crypto');
import fs = require('node:fs');
import nodeModule = require('node:module');
import path = require('node:path');
import url = require('node:url');
import type * as Transform from '@trapdoor-js/transform';
import type * as Settings from '../../loaders/settings.js';
import type * as Locations from '../../loaders/locations.js';
import type { WrappedTransformer } from './jest-config.js';

interface TransformedSource {
  code: string;
  map?: Transform.RawSourceMap | string | null;
}
interface TransformOptions {
  config: { rootDir: string; cwd?: string };
  configString: string;
  instrument: boolean;
  supportsStaticESM?: boolean;
  transformerConfig: unknown;
  [key: string]: unknown;
}
interface JestTransformer {
  canInstrument?: boolean;
  getCacheKey?(source: string, path: string, options: TransformOptions): string;
  getCacheKeyAsync?(source: string, path: string, options: TransformOptions): Promise<string>;
  process?(source: string, path: string, options: TransformOptions): TransformedSource;
  processAsync?(source: string, path: string, options: TransformOptions): Promise<TransformedSource>;
  createTransformer?(options: unknown): JestTransformer | Promise<JestTransformer>;
}

const { instrument, TransformError } = require('@trapdoor-js/transform') as typeof Transform;
const { makePolicy, parseGlobs, ENV } = require('../../loaders/settings.js') as typeof Settings;
const { locate } = require('../../loaders/locations.js') as typeof Locations;

const BRIDGE_CJS = require.resolve('./jest-runtime.cjs');
const BRIDGE_ESM = url.pathToFileURL(path.resolve(__dirname, 'jest-runtime-esm.mjs')).href;
/** What the cached output depends on of trapdoor itself: its version and this file's code (a local build changes it too). */
const VERSION = crypto
  .createHash('sha1')
  .update((JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version)
  .update(fs.readFileSync(__filename))
  .update(fs.readFileSync(require.resolve('@trapdoor-js/transform')))
  .digest('hex');

/** Loads a transformer as Jest does (require, else import for an ES module), and makes it. */
async function load(transformer: string, options: unknown, rootDir: string): Promise<JestTransformer> {
  const file = path.isAbsolute(transformer) ? transformer : nodeModule.createRequire(path.resolve(rootDir, 'package.json')).resolve(transformer);
  let loaded: unknown;
  try {
    loaded = require(file);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM' && (error as { code?: string }).code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    loaded = await import(url.pathToFileURL(file).href);
  }
  let made = loaded as JestTransformer & { default?: JestTransformer; __esModule?: boolean };
  if (made.__esModule || (typeof made.process !== 'function' && typeof made.processAsync !== 'function' && typeof made.createTransformer !== 'function' && made.default)) made = made.default ?? made;
  if (typeof made.createTransformer === 'function') made = (await made.createTransformer(options)) as typeof made;
  if (typeof made.process !== 'function' && typeof made.processAsync !== 'function') throw new Error(`trapdoor: ${transformer} is not a Jest transformer (no process or processAsync)`);
  return made;
}

/**
 * For files the project gives no transformer (jest-config.ts's last entry): the code as Jest would
 * load it. TypeScript is stripped as Jest 30 strips it where Node can (`module.stripTypeScriptTypes`,
 * which keeps every position), else left for Jest to fail on as it would.
 */
const untransformed: JestTransformer = {
  process(source, file) {
    const strip = (nodeModule as { stripTypeScriptTypes?: (code: string, options: { mode: 'strip' }) => string }).stripTypeScriptTypes;
    if (strip !== undefined && /\.[cm]?ts$/.test(file)) {
      try {
        return { code: strip(source, { mode: 'strip' }) };
      } catch {
        // Jest reports it in its own words
      }
    }
    return { code: source };
  },
};

interface BabelCore {
  transformSync(code: string, options: Record<string, unknown>): { code?: string | null; map?: Transform.RawSourceMap | null } | null;
}

/**
 * Jest's own coverage step (@jest/transform's `_instrumentFile`, Jest 30): babel-plugin-istanbul
 * with the options Jest gives it, from the copies Jest itself loads. Babel is also given the
 * transformer's map, so the map of the result leads to the original file.
 */
function coverageInstrument(input: TransformedSource, file: string, options: TransformOptions): TransformedSource {
  const fromJest = nodeModule.createRequire(require.resolve('@jest/transform', { paths: [options.config.rootDir, process.cwd()] }));
  const babel = fromJest('@babel/core') as BabelCore;
  const istanbul = fromJest('babel-plugin-istanbul') as { default?: unknown };
  const inputMap = typeof input.map === 'string' ? (JSON.parse(input.map) as Transform.RawSourceMap) : (input.map ?? undefined);
  const result = babel.transformSync(input.code, {
    auxiliaryCommentBefore: ' istanbul ignore next ',
    babelrc: false,
    caller: {
      name: '@jest/transform',
      supportsDynamicImport: options.supportsDynamicImport,
      supportsExportNamespaceFrom: options.supportsExportNamespaceFrom,
      supportsStaticESM: options.supportsStaticESM,
      supportsTopLevelAwait: options.supportsTopLevelAwait,
    },
    configFile: false,
    filename: file,
    inputSourceMap: inputMap,
    plugins: [[istanbul.default ?? istanbul, { compact: false, cwd: options.config.rootDir, exclude: [], extension: false, inputSourceMap: inputMap, useInlineSourceMaps: false }]],
    sourceMaps: true,
  });
  return result?.code != null ? { code: result.code, map: result.map ?? null } : input;
}

/** An error in the project's config: Jest prints its stack, which here would only show trapdoor's own lines. */
function configError(message: string): TypeError {
  const error = new TypeError(message);
  error.stack = `${error.name}: ${message}`;
  return error;
}

const OPTIONS = ['transformer', 'options'];

async function createTransformer(wrapped: Partial<WrappedTransformer> = {}): Promise<JestTransformer> {
  const unknown = Object.keys(wrapped ?? {}).filter((name) => !OPTIONS.includes(name));
  if (unknown.length > 0) throw configError(`trapdoor-js/jest: unknown option ${unknown.map((name) => `'${name}'`).join(', ')} (its options are 'transformer', the transformer to run, and 'options', that transformer's options)`);
  if (typeof wrapped.transformer !== 'string' && wrapped.transformer !== null) throw configError(`trapdoor-js/jest: option 'transformer' must name the transformer to run (e.g. 'babel-jest'), got ${JSON.stringify(wrapped.transformer)}`);
  const include = parseGlobs(process.env[ENV.include]);
  const exclude = parseGlobs(process.env[ENV.exclude]);
  const { ownDirs } = locate({ canRead: true, withDependencies: include.length > 0 });
  const policy = makePolicy({ cwd: process.cwd(), include, exclude, ownDirs });
  const ours = JSON.stringify([VERSION, BRIDGE_CJS, BRIDGE_ESM, include, exclude, wrapped.transformer === null ? process.version : '']);
  const innerOptions = (options: TransformOptions): TransformOptions => ({ ...options, transformerConfig: wrapped.options ?? {} });
  const loaded = wrapped.transformer === null ? untransformed : await load(wrapped.transformer, wrapped.options ?? {}, process.cwd());

  const key = (innerKey: string | undefined, source: string, path: string, options: TransformOptions): string =>
    crypto.createHash('sha1')
      .update(innerKey ?? `${source}\0${path}\0${options.configString}\0${options.instrument}`)
      .update('\0')
      .update(ours)
      .digest('hex');

  const finish = (out: TransformedSource | string, path: string, options: TransformOptions): TransformedSource => {
    let result = typeof out === 'string' ? { code: out } : out;
    // Coverage the project's transformer leaves to Jest: done here first, as Jest does it, so
    // that its counters are the plain run's and the checks added next are not counted.
    if (options.instrument && loaded.canInstrument !== true) result = coverageInstrument(result, path, options);
    if (!policy(path)) return result;
    // Jest asks for static ESM exactly when it evaluates the result as an ES module (its
    // ESM_TRANSFORM_OPTIONS, with --experimental-vm-modules), whatever the code's syntax: a setup
    // file or test of plain statements in a `"type": "module"` package is an ES module too, where
    // the CommonJS binding's `require` is not defined.
    const esm = options.supportsStaticESM === true;
    let instrumented: Transform.InstrumentResult;
    try {
      instrumented = instrument(result.code, {
        filename: path,
        language: 'js',
        moduleType: esm ? 'esm' : 'cjs',
        runtime: esm ? BRIDGE_ESM : BRIDGE_CJS,
        inputSourceMap: typeof result.map === 'string' ? (JSON.parse(result.map) as Transform.RawSourceMap) : (result.map ?? undefined),
      });
    } catch (error) {
      // Code the transform cannot parse runs as it is; Jest reports its own syntax errors.
      if (error instanceof TransformError && error.code === 'ERR_TRAPDOOR_SYNTAX') return result;
      throw error;
    }
    if (instrumented.skipped !== undefined || instrumented.sites.length === 0) return result;
    return { code: instrumented.code, map: instrumented.map };
  };

  const transformer: JestTransformer = {
    // Coverage is always this transformer's: the project's transformer's, or Jest's own done here.
    canInstrument: true,
    getCacheKey(source, path, options) {
      return key(loaded.getCacheKey?.(source, path, innerOptions(options)), source, path, options);
    },
    process(source, path, options) {
      if (typeof loaded.process !== 'function') throw new Error(`trapdoor: ${wrapped.transformer} transforms asynchronously only (processAsync), and Jest asked for a synchronous transform of ${path}`);
      return finish(loaded.process(source, path, innerOptions(options)), path, options);
    },
  };
  if (typeof loaded.getCacheKeyAsync === 'function' || typeof loaded.processAsync === 'function') {
    transformer.getCacheKeyAsync = async (source, path, options) => {
      const own = loaded.getCacheKeyAsync !== undefined ? await loaded.getCacheKeyAsync(source, path, innerOptions(options)) : loaded.getCacheKey?.(source, path, innerOptions(options));
      return key(own, source, path, options);
    };
    transformer.processAsync = async (source, path, options) => {
      const out = loaded.processAsync !== undefined ? await loaded.processAsync(source, path, innerOptions(options)) : loaded.process!(source, path, innerOptions(options));
      return finish(out, path, options);
    };
  }
  return transformer;
}

module.exports = { createTransformer };
