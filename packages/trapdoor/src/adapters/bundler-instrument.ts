/**
 * Instrumenting one module for a bundler: `instrument()` with what bundlers need. Its own module
 * because it is what loads the transform (its parsers alone take 100–240 ms to load): the factory
 * (factory.ts) imports it on the first module its cache does not have, so a warm run of a test
 * runner, where every module is a cache hit, never loads it. Babel's plugin imports it directly.
 */
import { instrument, instrumentAsync, TransformError, type InstrumentResult, type Language, type ModuleType, type RawSourceMap } from '@trapdoor-js/transform';

export { TransformError };
/** For a syntax error in code an earlier plugin compiled: its place and frame in the original file (loaded with the transform, not with the plugin). */
export { codeFrame } from '@trapdoor-js/transform';
export { originalPosition } from './error-position.js';

/** A TypeScript file, which an earlier plugin may have compiled already. */
const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;
/** A file that reads CommonJS's own bindings: its runtime import must be a `require`. */
const COMMONJS = /\b(?:require\s*\(|module\.exports\b|exports\.\w)/;

/**
 * Instruments one module for a bundler. Bundlers expect ES modules; a file with no import or
 * export is one only if it does not use CommonJS's bindings (then the runtime is `require`d,
 * which webpack, Rollup's commonjs plugin and esbuild all understand). `insertMapStartsOnly`: for
 * esbuild (insert-map.ts). `compiled`: the code is known to be a loader's output though no map
 * came with it (webpack's `afterLoaders`).
 */
export function instrumentForBundler(code: string, path: string, runtime: string, inputSourceMap?: RawSourceMap, coverageHints = false, insertMapStartsOnly = false, compiled = false): InstrumentResult {
  let language = firstLanguage(path, inputSourceMap, compiled);
  const run = (moduleType?: ModuleType): InstrumentResult => {
    try {
      return instrument(code, { filename: path, runtime, inputSourceMap, moduleType, language, coverageHints, insertMapStartsOnly });
    } catch (error) {
      if (!retriesAsTypeScript(language, error)) throw error;
      language = undefined;
      return instrument(code, { filename: path, runtime, inputSourceMap, moduleType, coverageHints, insertMapStartsOnly });
    }
  };
  const result = run();
  return esmAfterAll(result, code, path) ? run('esm') : result;
}

/**
 * instrumentForBundler with the transform's async parse (instrumentAsync: oxc's parse on libuv's
 * thread pool), for the bundlers' async hooks, which hand over several modules at once: the same
 * steps, the same result.
 */
export async function instrumentForBundlerAsync(code: string, path: string, runtime: string, inputSourceMap?: RawSourceMap, coverageHints = false, insertMapStartsOnly = false, compiled = false): Promise<InstrumentResult> {
  let language = firstLanguage(path, inputSourceMap, compiled);
  const run = async (moduleType?: ModuleType): Promise<InstrumentResult> => {
    try {
      return await instrumentAsync(code, { filename: path, runtime, inputSourceMap, moduleType, language, coverageHints, insertMapStartsOnly });
    } catch (error) {
      if (!retriesAsTypeScript(language, error)) throw error;
      language = undefined;
      return instrumentAsync(code, { filename: path, runtime, inputSourceMap, moduleType, coverageHints, insertMapStartsOnly });
    }
  };
  const result = await run();
  return esmAfterAll(result, code, path) ? run('esm') : result;
}

/**
 * A TypeScript file that an earlier plugin or loader changed was most likely compiled to
 * JavaScript: it is parsed as such (and no TypeScript syntax is inserted), as TypeScript only if
 * that fails.
 */
function firstLanguage(path: string, inputSourceMap: RawSourceMap | undefined, compiled: boolean): Language | undefined {
  return (inputSourceMap !== undefined || compiled) && TYPESCRIPT_FILE.test(path) ? 'js' : undefined;
}

/** Parsed as JavaScript, the file had a syntax error: TypeScript's parse is tried. */
function retriesAsTypeScript(language: Language | undefined, error: unknown): boolean {
  return language === 'js' && error instanceof TransformError && error.code === 'ERR_TRAPDOOR_SYNTAX';
}

/** A script by its syntax that uses no CommonJS binding: an ES module for the bundler, the runtime imported. */
function esmAfterAll(result: InstrumentResult, code: string, path: string): boolean {
  return result.moduleType === 'cjs' && result.sites.length > 0 && !/\.c[jt]s$/.test(path) && !COMMONJS.test(code);
}
