/**
 * The one factory every bundler adapter is a line over (unplugin): a thin layer over
 * `instrument()`. It runs before the bundler's own TypeScript/JSX step (`enforce: 'pre'`), so the
 * transform sees the file as written: the site table names original lines and columns, and the
 * bundler chains our map into its own output map like any other plugin's.
 */
import { instrument, TransformError, type InstrumentResult } from '@trapdoor-js/transform';
import { createUnplugin, type SourceMapCompact, type UnpluginFactory } from 'unplugin';
import { locate } from '../loaders/locations.js';
import { makePolicy, type Policy } from '../loaders/settings.js';
import { resolveOptions, type ResolvedOptions, type TrapdoorPluginOptions } from './options.js';

export type { TrapdoorPluginOptions } from './options.js';
export { PluginOptionError } from './options.js';

/** What the transform can parse, before the include/exclude globs decide (checked in the bundler, cheaply). */
const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** A file that reads CommonJS's own bindings: its runtime import must be a `require`. */
const COMMONJS = /\b(?:require\s*\(|module\.exports\b|exports\.\w)/;

/**
 * The module's path, or undefined for ids that are not a file as written: virtual modules (`\0`)
 * and ids with a query (`?raw`, `?worker`, `?url` are other things made from the file).
 */
function filePath(id: string): string | undefined {
  if (id.includes('\0') || id.includes('?') || id.includes('#')) return undefined;
  return id;
}

/**
 * Instruments one module for a bundler. Bundlers expect ES modules; a file with no import or
 * export is one only if it does not use CommonJS's bindings (then the runtime is `require`d,
 * which webpack, Rollup's commonjs plugin and esbuild all understand).
 */
export function instrumentForBundler(code: string, path: string, runtime: string): InstrumentResult {
  const result = instrument(code, { filename: path, runtime });
  if (result.moduleType === 'cjs' && result.sites.length > 0 && !/\.c[jt]s$/.test(path) && !COMMONJS.test(code)) {
    return instrument(code, { filename: path, runtime, moduleType: 'esm' });
  }
  return result;
}

/** `TransformError`'s message starts with `file:line:column: `, which bundlers print themselves. */
function reason(error: TransformError): string {
  const first = error.message.split('\n')[0] ?? error.message;
  const at = `${error.file}:${error.line}:${error.column}: `;
  return first.startsWith(at) ? first.slice(at.length) : first;
}

export const unpluginFactory: UnpluginFactory<TrapdoorPluginOptions | undefined, false> = (rawOptions) => {
  const options: ResolvedOptions = resolveOptions(rawOptions);
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

  return {
    name: 'trapdoor',
    enforce: 'pre',
    transform: {
      filter: { id: { include: CODE_FILE, exclude: /\0/ } },
      handler(code, id) {
        const path = filePath(id);
        if (path === undefined || !policyFor()(path)) return undefined;
        let result: InstrumentResult;
        try {
          result = instrumentForBundler(code, path, options.runtime);
        } catch (error) {
          if (error instanceof TransformError && error.code === 'ERR_TRAPDOOR_SYNTAX') {
            // The bundler's own error format, with its own frame; nothing half-instrumented is emitted.
            this.error({ message: reason(error), id: path, loc: { file: path, line: error.line ?? 1, column: error.column ?? 0 } });
            return undefined;
          }
          throw error;
        }
        if (result.skipped !== undefined || result.sites.length === 0) return undefined;
        return { code: result.code, map: result.map as SourceMapCompact };
      },
    },
    vite: {
      configResolved(config) {
        root ??= config.root;
      },
      // Client bundles are for browsers, whose own DevTools pause a busy loop: left alone unless asked.
      applyToEnvironment(environment) {
        return options.client || environment.config.consumer === 'server';
      },
    },
    webpack(compiler) {
      root ??= compiler.context;
    },
    rspack(compiler) {
      root ??= compiler.context;
    },
  };
};

export const trapdoor = createUnplugin(unpluginFactory);
