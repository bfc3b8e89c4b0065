/**
 * What every loader needs to know, whichever runtime it runs on: which files are the program's
 * own (include/exclude globs, trapdoor's own packages), and where the runtime that instrumented
 * code imports lives.
 *
 * `trapdoor run` passes the globs to the child through the environment; a user who starts the
 * runtime by hand (`node --import trapdoor-js/register app.js`) can set the same variables:
 *
 * - `TRAPDOOR_INCLUDE`, `TRAPDOOR_EXCLUDE`: globs relative to the working directory, as a JSON
 *   array (`["src/**"]`) or one per line. Absolute globs match absolute paths.
 * - `TRAPDOOR_DEBUG_DUMP_MODULES=<file>`: at exit, write the instrumented modules and their site
 *   counts to <file> as JSON (for tests and for checking what was instrumented).
 *
 * The runtime itself reads `TRAPDOOR_PORT`, `TRAPDOOR_HOST` and `TRAPDOOR_SIGNAL`; loaders only
 * pass them through.
 */
import { createRequire } from 'node:module';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Picomatch from 'picomatch';

export const ENV = {
  include: 'TRAPDOOR_INCLUDE',
  exclude: 'TRAPDOOR_EXCLUDE',
  dumpModules: 'TRAPDOOR_DEBUG_DUMP_MODULES',
  port: 'TRAPDOOR_PORT',
  host: 'TRAPDOOR_HOST',
  signal: 'TRAPDOOR_SIGNAL',
  /** The working directory, for Deno (whose `Deno.cwd()` needs a read permission). */
  cwd: 'TRAPDOOR_CWD',
} as const;

/** Serializable: the Node loader sends it to its hooks thread. */
export interface LoaderSettings {
  cwd: string;
  include: string[];
  exclude: string[];
  /** Directories (with a trailing separator) whose files are never instrumented: trapdoor's own packages. */
  ownDirs: string[];
  /** The runtime as instrumented ES modules import it: a file: URL. */
  runtimeEsm: string;
  /** The runtime as instrumented CommonJS requires it: an absolute path. */
  runtimeCjs: string;
}

/**
 * An environment variable, or undefined. On Deno, reading one the program has no permission for
 * would throw or prompt, so it counts as unset.
 */
export function readEnv(name: string): string | undefined {
  const deno = (globalThis as { Deno?: { permissions?: { querySync?(d: { name: 'env'; variable: string }): { state: string } } } }).Deno;
  if (deno?.permissions?.querySync) {
    try {
      if (deno.permissions.querySync({ name: 'env', variable: name }).state !== 'granted') return undefined;
    } catch {
      return undefined;
    }
  }
  return process.env[name];
}

/**
 * Set once per thread, so a loader given twice (`--import` twice, or by hand under `trapdoor run`)
 * installs once. Also tells the runtime that frames in the loaders' folder are trapdoor's, not the
 * program's (call-frames.ts hides them from debuggers).
 */
export function claimThread(loader: string): boolean {
  const key = Symbol.for('trapdoor.loader');
  const holder = globalThis as unknown as Record<symbol, string | undefined>;
  if (holder[key] !== undefined) return false;
  Object.defineProperty(holder, key, { value: loader, enumerable: false });
  const toolDirs = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  // The package's folder, not only dist/loaders: Deno names frames by their source-mapped src/ files.
  (toolDirs[Symbol.for('trapdoor.tool-dirs')] ??= new Set()).add(fileURLToPath(new URL('../../', import.meta.url)));
  return true;
}

/** A glob list from the environment: a JSON array of strings, or one glob per line. */
export function parseGlobs(value: string | undefined): string[] {
  if (value === undefined) return [];
  const text = value.trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`trapdoor: cannot parse ${text} as a JSON array of globs`);
    }
    if (!Array.isArray(parsed) || parsed.some((g) => typeof g !== 'string')) throw new Error(`trapdoor: expected a JSON array of globs, got ${text}`);
    return (parsed as string[]).filter((g) => g !== '');
  }
  return text.split(/\r?\n/).map((g) => g.trim()).filter((g) => g !== '');
}

/** Files the transform can parse. Declaration files hold no code. */
const INSTRUMENTABLE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;
const DECLARATION = /\.d\.[cm]?ts$/i;
const NODE_MODULES = /[\\/]node_modules[\\/]/;

export type Policy = (path: string) => boolean;

/**
 * Decides, from an absolute path, whether a file is one of the program's own modules to
 * instrument:
 * - never trapdoor's own packages (the runtime, the transform, this loader) or declaration files;
 * - never a file matching an --exclude glob;
 * - with --include globs: only files matching one of them — including files under node_modules,
 *   which is how a dependency is instrumented;
 * - without: every file outside node_modules.
 */
export function makePolicy(settings: Pick<LoaderSettings, 'cwd' | 'include' | 'exclude' | 'ownDirs'>): Policy {
  const options = { dot: true };
  const matcher = (globs: string[]) => {
    if (globs.length === 0) return undefined;
    // Loaded only for globs: about 5 ms at every start of every thread that loads the settings.
    // By its file: Deno, with --allow-read scoped to the packages, refuses the probe of
    // node_modules/picomatch.js that resolving the bare name makes (picomatch 4 has no exports map).
    const picomatch = createRequire(import.meta.url)('picomatch/index.js') as typeof Picomatch;
    const relativeGlobs = globs.filter((g) => !isAbsolute(g));
    const absoluteGlobs = globs.filter((g) => isAbsolute(g)).map((g) => g.split(sep).join('/'));
    const rel = relativeGlobs.length > 0 ? picomatch(relativeGlobs, options) : () => false;
    const abs = absoluteGlobs.length > 0 ? picomatch(absoluteGlobs, options) : () => false;
    return (path: string) => {
      const slashed = path.split(sep).join('/');
      return rel(relative(settings.cwd, path).split(sep).join('/')) || abs(slashed);
    };
  };
  const included = matcher(settings.include);
  const excluded = matcher(settings.exclude);
  const ownDirs = settings.ownDirs;
  return (path: string) => {
    if (!INSTRUMENTABLE.test(path) || DECLARATION.test(path)) return false;
    for (const dir of ownDirs) if (path.startsWith(dir)) return false;
    if (excluded?.(path)) return false;
    if (included) return included(path);
    return !NODE_MODULES.test(path);
  };
}

/** The absolute path of a file: URL, or undefined for other URLs (node:, data:, https:). */
export function pathOfUrl(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

/** `dir` with exactly one trailing separator, so a prefix test cannot match a sibling (`runtime2/`). */
export function asDirPrefix(dir: string): string {
  return dir.endsWith(sep) ? dir : dir + sep;
}
