/**
 * `import trapdoor from 'trapdoor-js/vitest'`: trapdoor in a Vitest project, for its config —
 * `plugins: [trapdoor()]` in vitest.config (or vite.config) — and what `trapdoor test -- vitest …`
 * adds to the project's own config without editing it (vitest-config.ts).
 *
 * Two parts:
 *  - the Vite adapter (../adapters/plugin.ts) instruments the project's sources and test files in
 *    Vite's pipeline, before its own TypeScript step, so the maps chain and Vitest's stack traces and
 *    coverage stay in original positions; node_modules and trapdoor's own files are left alone;
 *  - the runner (vitest-runner.ts, set as `test.runner`, wrapping the project's own runner if it
 *    has one; its deadlines in vitest-deadlines.ts) arms a deadline around each test function with
 *    the test's own timeout.
 *
 * Inline `test.projects` get the plugin too (those with `extends: true` inherit it from here);
 * projects given as config files, folders or globs load their own configs and need it there (the
 * plugin says so; `trapdoor test` turns them into inline projects first, see vitest-config.ts).
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { vitePlugin } from '../adapters/plugin.js';
import { PluginOptionError, resolveOptions } from '../adapters/options.js';
import { locate } from '../loaders/locations.js';
import type { CacheKeyContext } from './vitest-config.js';
import { SETTINGS_KEY, type VitestSettings } from './vitest-settings.js';

export interface TrapdoorVitestOptions {
  /** Globs (relative to the project root) of the files to instrument; default: everything outside node_modules. */
  include?: string | string[];
  /** Globs of files never to instrument. */
  exclude?: string | string[];
  /**
   * The deadline of every test in milliseconds, instead of the test's own timeout (Vitest's
   * `testTimeout`, or the timeout given to `test()`). Default: the test's own.
   */
  timeout?: number;
}

const KNOWN = new Set(['include', 'exclude', 'timeout']);
/** The runner that arms the deadlines: dist/test-runners/vitest-runner.js. */
const RUNNER = fileURLToPath(new URL('./vitest-runner.js', import.meta.url));
/** What the runner arms them with, which Node loads itself (see vitest-deadlines.ts). */
const DEADLINES = fileURLToPath(new URL('./vitest-deadlines.js', import.meta.url));

/** This package's folder (dist/test-runners/ → its root), as given and through symbolic links. */
const OWN_DIRS = ((dir) => [...new Set([dir, realpathOr(dir)])])(fileURLToPath(new URL('../../', import.meta.url)));

function realpathOr(path: string): string {
  try {
    return `${realpathSync(path)}/`;
  } catch {
    return path;
  }
}

/** The parts of Vitest's `test` config the plugin changes (vitest/config's types need not be installed to build this). */
interface TestConfig {
  runner?: string;
  provide?: Record<string, unknown>;
  server?: { deps?: { inline?: (string | RegExp)[] | true; external?: (string | RegExp)[] } };
  projects?: unknown[];
  onStackTrace?: (error: unknown, frame: { file: string }) => boolean | void;
  browser?: { enabled?: boolean };
  coverage?: { enabled?: unknown };
}

/** What configureVitest gets (Vitest 4): the project, and Vitest with its resolved config (the command line's options merged in). */
type VitestContext = Omit<CacheKeyContext, 'project'> & {
  project?: { config?: { pool?: unknown; coverage?: { enabled?: unknown } } };
  vitest?: { config?: { coverage?: { enabled?: unknown } } };
};

/** The Vitest plugin: instrumenting and deadlines. */
export default function trapdoor(options: TrapdoorVitestOptions = {}): Plugin[] {
  const settings = checkOptions(options);
  const { runtimeEsm } = locate({ canRead: true });
  const runtimeDirs = ownRuntimeDirs(runtimeEsm);
  // What the runner's deadlines are armed with, given to every test worker rather than resolved
  // there by name (vitest-deadlines.ts): `@trapdoor-js/runtime/deadline`, the runtime's
  // dist/esm/deadline.js beside the entry trapdoor found (import.meta.resolve, cold in Vitest's
  // main process before its first worker starts, cost ~2.8 ms CPU).
  const deadlineUrl = new URL('./deadline.js', runtimeEsm).href;
  const resolved = resolveOptions({
    include: options.include,
    exclude: options.exclude,
    // By path: the project need not depend on @trapdoor-js/runtime (as under `trapdoor run`).
    runtime: fileURLToPath(runtimeEsm),
    // Vitest runs every environment in Node (jsdom and happy-dom are Node too): instrument them all.
    client: true,
    // Vitest transforms every module again on each run: trapdoor's part comes from the disk cache.
    cache: true,
  });
  // Coverage hints (the comments that keep the checks out of istanbul's and v8's reports) only when
  // coverage is on, with either provider: elsewhere they are bytes every parse reads for nothing
  // (about a tenth of what the transform adds), and an arrow's expression body's check would be
  // `void {_: check}`. Decided from the project's config (`test.coverage.enabled`), then, before
  // the first module, from Vitest's resolved config, which has `--coverage` from the command line.
  const instrument = vitePlugin(undefined, resolved);
  const coverageOn = (coverage: { enabled?: unknown } | undefined) => coverage?.enabled === true;
  // Browser mode runs the tests in a browser, whose DevTools already pause a busy loop, with a
  // runner of its own: the project is left exactly as it is.
  let browser = false;
  const applies = instrument.applyToEnvironment;
  instrument.applyToEnvironment = (environment) => !browser && (typeof applies !== 'function' || applies.call(instrument, environment));
  // Vitest's module cache on disk (experimental.fsModuleCache) keys modules by plugin names, not
  // options: trapdoor's version and options (what it instruments, the deadline) go in the key.
  // The hints change the modules too, so they are in the key.
  const cacheKey = () => `trapdoor-js@${version()}:${JSON.stringify({ include: options.include, exclude: options.exclude, timeout: options.timeout, coverageHints: resolved.coverageHints })}`;
  const setup: Plugin & { configureVitest?: (context: VitestContext) => Promise<void> } = {
    name: 'trapdoor:vitest',
    // Vitest's main process, each project's config resolved (--pool included), awaited before
    // any test runs. With a threads pool the tests run in worker threads of this process: the
    // runtime loads here too, so that the process has its trigger and state file and `trapdoor
    // attach` / `trapdoor stack <pid>` reach the busy workers (the runtime's thread-registry.ts).
    // It changes nothing until activated. Not for forks: each fork loads its own, and `trapdoor
    // attach <parent pid>` must keep finding the one fork. (trapdoor test loads it earlier, from
    // its generated config: a second import is the same module.)
    async configureVitest({ experimental_defineCacheKeyGenerator: define, project, vitest }) {
      const coverage = vitest?.config?.coverage ?? project?.config?.coverage;
      if (coverage !== undefined) resolved.coverageHints = coverageOn(coverage);
      define?.(cacheKey);
      const pool = project?.config?.pool;
      if (!browser && (pool === 'threads' || pool === 'vmThreads')) await import('../loaders/preload-runtime.js');
    },
    enforce: 'pre',
    // Vitest reads `test` again once the config is resolved, so changing it here is seen.
    config(config) {
      const test: TestConfig = ((config as { test?: TestConfig }).test ??= {});
      browser = test.browser?.enabled === true;
      if (browser) return;
      resolved.coverageHints = coverageOn(test.coverage);
      // The project's own runner, if any, is extended (a relative path is the root's, as Vitest reads it).
      const own = test.runner;
      const baseRunner = own === undefined || own === RUNNER ? undefined : own.startsWith('.') ? resolve(config.root ?? process.cwd(), own) : own;
      test.runner = RUNNER;
      const provided: VitestSettings = { ...settings, baseRunner, deadline: deadlineUrl };
      test.provide = { ...test.provide, [SETTINGS_KEY]: provided };
      const server = (test.server ??= {});
      const deps = (server.deps ??= {});
      // The runner goes through Vite (so its `import 'vitest'` is the Vitest that runs, however the
      // project installed it); the runtime never does: it must be the one copy per thread Node loads.
      // Nor does the runner's implementation: Node loads it and what it imports without a fetch
      // from this process for each (trapdoor in a workspace, outside node_modules, is inlined otherwise).
      if (deps.inline !== true) deps.inline = [...(deps.inline ?? []), exactPath(RUNNER)];
      deps.external = [...(deps.external ?? []), exactPath(DEADLINES), ...runtimeDirs.map(underDir)];
      // trapdoor's runner is a frame under every test: hidden, as Vitest hides its own (which it
      // does by path, node_modules included — so in an installed project this changes nothing).
      const projectFilter = test.onStackTrace;
      test.onStackTrace = (error, frame) => !OWN_DIRS.some((dir) => frame.file.startsWith(dir)) && (projectFilter === undefined || projectFilter(error, frame) !== false);
      addToInlineProjects(test, () => trapdoor(options));
      // Projects given by file, folder or glob load their own config, which this plugin cannot
      // reach (trapdoor test makes them inline projects first): say so, rather than leave their
      // stuck tests hanging without a word.
      const elsewhere = (test.projects ?? []).filter((project) => typeof project === 'string');
      if (elsewhere.length > 0) {
        process.stderr.write(
          `trapdoor: the projects ${elsewhere.map((project) => `'${project}'`).join(', ')} load their own config files: their tests are not instrumented and get no deadlines unless those configs add plugins: [trapdoor()] (import trapdoor from 'trapdoor-js/vitest'), or the run is started with 'trapdoor test --'\n`,
        );
      }
    },
  };
  return [setup, instrument];
}

function version(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

function checkOptions(options: TrapdoorVitestOptions): VitestSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new PluginOptionError('(options)', 'expected an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new PluginOptionError(name, `unknown option; known: ${[...KNOWN].join(', ')}`);
  }
  const { timeout } = options;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0)) {
    throw new PluginOptionError('timeout', `expected a number of milliseconds > 0, got ${JSON.stringify(timeout)}`);
  }
  return { timeout };
}

/** Inline projects without `extends: true` do not inherit the root's plugins: they get their own. */
function addToInlineProjects(test: TestConfig, plugin: () => Plugin[]): void {
  const projects = test.projects;
  if (!Array.isArray(projects)) return;
  const withPlugin = (project: unknown): unknown => {
    if (typeof project !== 'object' || project === null) return project;
    const inline = project as { extends?: unknown; plugins?: unknown[] };
    if (inline.extends === true) return project;
    return { ...inline, plugins: [...plugin(), ...(inline.plugins ?? [])] };
  };
  test.projects = projects.map((project) => {
    // A function gives an inline config (Vitest awaits it with the config env).
    if (typeof project === 'function') return async (...args: unknown[]) => withPlugin(await (project as (...a: unknown[]) => unknown)(...args));
    return withPlugin(project);
  });
}

/**
 * The runtime's package folder (its entry is dist/esm/index.js in it), as given and through
 * symbolic links (a workspace links it): from where trapdoor found the runtime, without a cold
 * require.resolve (~1.4 ms CPU in Vitest's main process).
 */
function ownRuntimeDirs(runtimeEsm: string): string[] {
  const dir = dirname(dirname(dirname(fileURLToPath(runtimeEsm))));
  const dirs = new Set([dir]);
  try {
    dirs.add(realpathSync(dir));
  } catch {
    // the path as given is still there
  }
  return [...dirs];
}

function escape(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function exactPath(path: string): RegExp {
  return new RegExp(`^${escape(path)}(?:\\?.*)?$`);
}

function underDir(dir: string): RegExp {
  return new RegExp(`^${escape(dir)}[\\\\/]`);
}
