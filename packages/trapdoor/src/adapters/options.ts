/**
 * The options every bundler adapter takes, checked once when the config is read, so a typo fails
 * the build at once with the option's name instead of silently instrumenting nothing.
 */

/**
 * The transform's `DEFAULT_RUNTIME`, written out: importing it would load the transform (and its
 * parsers) with the options, which a warm run never needs (options.test.ts checks they agree).
 */
export const DEFAULT_RUNTIME = '@trapdoor-js/runtime';

export interface TrapdoorPluginOptions {
  /**
   * Globs (picomatch, relative to the project root, or absolute) of the files to instrument.
   * Default: every JavaScript and TypeScript file outside `node_modules`. A glob naming files in
   * `node_modules` is how a dependency is instrumented.
   */
  include?: string | string[];
  /** Globs of files never to instrument, even when `include` names them. */
  exclude?: string | string[];
  /** `'trap'` (checks at loop bodies and function entries): the only mode built so far. */
  mode?: 'trap';
  /** The specifier instrumented code imports the runtime by. Default `@trapdoor-js/runtime`. */
  runtime?: string;
  /**
   * Vite: also instrument code built for the browser. Default false: a browser's own DevTools
   * already pause a busy loop, so client bundles are left exactly as they are.
   */
  client?: boolean;
  /** The folder relative globs are read from. Default: the bundler's root, else the working directory. */
  root?: string;
  /**
   * A production debug build: the checks are in, but the built program arms nothing at load (no
   * signal handler, thread, socket or file) unless it is started with `TRAPDOOR_ARM=1`. Chosen
   * here only, never from the bundler's mode. Default false: the program can be attached to from
   * its start, as under `trapdoor run`.
   */
  production?: boolean;
  /**
   * Bundle the runtime into the output instead of importing it at run time, for a self-contained
   * deployment: the files the runtime starts threads from and loads on activation (its agent
   * worker, control-socket worker, inspector, their dependencies and the native signal watcher
   * when installed) are written beside the bundle in `trapdoor-runtime/`, and the bundled runtime
   * starts from there (else from an installed `@trapdoor-js/runtime`). Without either, the program
   * runs, and `trapdoor attach` says why it cannot be activated. Default false: the runtime stays
   * external.
   */
  bundleRuntime?: boolean;
  /**
   * Mark the inserted checks so that istanbul and Vitest's v8 coverage leave them out of their
   * reports (statements, branches, functions and lines as without trapdoor). Default false;
   * `trapdoor-js/vitest` sets it.
   */
  coverageHints?: boolean;
  /**
   * Keep the instrumented modules in trapdoor's disk cache (`node_modules/.cache/trapdoor`, as
   * the loaders do), so the next build or test run does not instrument an unchanged module again.
   * Default false (a bundler keeps its own caches); `trapdoor-js/vitest` sets it.
   */
  cache?: boolean;
  /**
   * webpack and Rspack: instrument each module after the other loaders (`enforce: 'post'`) instead
   * of before them, so that the checks do not go through ts-loader's or babel-loader's work: a
   * faster build (see the README's Performance). The sites then name original lines through the
   * loaders' source maps, which those loaders must make (ts-loader: `sourceMap: true` in
   * tsconfig.json; babel-loader: `sourceMaps`); a module they changed without a map is named in
   * the build's warnings. Default false: the plugin sees each file as written.
   */
  afterLoaders?: boolean;
}

export interface ResolvedOptions {
  include: string[];
  exclude: string[];
  mode: 'trap';
  runtime: string;
  client: boolean;
  root: string | undefined;
  production: boolean;
  bundleRuntime: boolean;
  coverageHints: boolean;
  cache: boolean;
  afterLoaders: boolean;
}

export class PluginOptionError extends Error {
  override readonly name = 'PluginOptionError';
  readonly code = 'ERR_TRAPDOOR_OPTION';
  readonly option: string;
  constructor(option: string, message: string) {
    super(`trapdoor-js: option '${option}': ${message}`);
    this.option = option;
  }
}

const KNOWN = new Set(['include', 'exclude', 'mode', 'runtime', 'client', 'root', 'production', 'bundleRuntime', 'coverageHints', 'cache', 'afterLoaders']);

/** What production builds import: the runtime that arms only on the deployment's opt-in. */
const PRODUCTION_RUNTIME = `${DEFAULT_RUNTIME}/production`;

function globs(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const glob of list) {
    if (typeof glob !== 'string' || glob === '') throw new PluginOptionError(name, `expected a glob or an array of globs, got ${JSON.stringify(glob)}`);
  }
  return list as string[];
}

export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new PluginOptionError('(options)', `expected an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const given = options as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!KNOWN.has(name)) throw new PluginOptionError(name, `unknown option; known: ${[...KNOWN].join(', ')}`);
  }
  const { mode = 'trap', client = false, root, production = false, bundleRuntime = false, coverageHints = false, cache = false, afterLoaders = false } = given;
  for (const [name, value] of Object.entries({ client, production, bundleRuntime, coverageHints, cache, afterLoaders })) {
    if (typeof value !== 'boolean') throw new PluginOptionError(name, `expected true or false, got ${JSON.stringify(value)}`);
  }
  const runtime = given.runtime ?? (production ? PRODUCTION_RUNTIME : DEFAULT_RUNTIME);
  if (mode !== 'trap') {
    throw new PluginOptionError('mode', mode === 'debug' ? "'debug' is planned and not built yet; use 'trap'" : `expected 'trap', got ${JSON.stringify(mode)}`);
  }
  if (typeof runtime !== 'string' || runtime === '') throw new PluginOptionError('runtime', `expected a module specifier, got ${JSON.stringify(runtime)}`);
  if (root !== undefined && (typeof root !== 'string' || root === '')) throw new PluginOptionError('root', `expected a folder path, got ${JSON.stringify(root)}`);
  return {
    include: globs('include', given.include),
    exclude: globs('exclude', given.exclude),
    mode,
    runtime,
    client: client as boolean,
    root: root as string | undefined,
    production: production as boolean,
    bundleRuntime: bundleRuntime as boolean,
    coverageHints: coverageHints as boolean,
    cache: cache as boolean,
    afterLoaders: afterLoaders as boolean,
  };
}
