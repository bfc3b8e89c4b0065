/**
 * What the config `trapdoor test -- vitest …` generates (vitest.ts) runs, in Vitest's own process:
 * the project's config loaded as Vitest would have loaded it — the same file, Vite's own
 * `loadConfigFromFile` from the Vite that Vitest uses, the same config loader and environment —
 * with trapdoor's Vitest plugin added in front. Nothing else of the project's config changes.
 *
 * Projects the config names by file, folder or glob (`test.projects: ['packages/*']`) load their
 * own configs, which a plugin cannot reach: they become inline projects that extend those files,
 * with the plugin, the root, the name and the tags Vitest would have given them (see fileProject).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigEnv, Plugin, UserConfig } from 'vite';
import trapdoor, { type TrapdoorVitestOptions } from './vitest-plugin.js';

export interface WrappedConfig {
  /** The project's config file; undefined when it has none (Vitest's defaults then). */
  configFile?: string;
  /** Where Vitest runs (its `--root`, else the working directory). */
  root: string;
  /** Vitest's `--configLoader`, if given. */
  configLoader?: 'bundle' | 'runner' | 'native';
  /** The Vite that Vitest imports (dist/node/index.js). */
  vite: string;
  /** The vitest package's folder (its own tinyglobby finds projects as Vitest does). */
  vitest: string;
  plugin: TrapdoorVitestOptions;
}

type ViteModule = typeof import('vite');

export async function configWithTrapdoor(env: ConfigEnv, wrapped: WrappedConfig): Promise<UserConfig> {
  let config: UserConfig = {};
  const ours: Plugin[] = [...trapdoor(wrapped.plugin)];
  if (wrapped.configFile !== undefined) {
    const vite = (await import(pathToFileURL(wrapped.vite).href)) as ViteModule;
    const loaded = await vite.loadConfigFromFile(env, wrapped.configFile, wrapped.root, undefined, undefined, wrapped.configLoader);
    if (loaded !== null) {
      config = loaded.config;
      ours.push(restartOnChange([loaded.path, ...loaded.dependencies].map((file) => resolve(wrapped.root, file))));
    }
  }
  const test = (config as { test?: { projects?: unknown[]; root?: string } }).test;
  if (Array.isArray(test?.projects)) {
    const root = resolve(test.root ?? config.root ?? wrapped.root);
    config = { ...config, test: { ...test, projects: await withFileProjects(test.projects, root, wrapped) } } as UserConfig;
  }
  // With a threads pool, the runtime on Vitest's main thread too: it owns the process's trigger
  // and state file, through which `trapdoor attach` / `trapdoor stack` reach the busy workers (the
  // runtime's thread-registry.ts); it changes nothing until activated. Not with forks only: the
  // forks run it themselves, and `trapdoor attach <parent pid>` must keep finding the one fork.
  if (usesThreads(config, process.argv)) await import('../loaders/preload-runtime.js');
  return { ...config, plugins: [...ours, ...(config.plugins ?? [])] };
}

/** Whether Vitest may run tests in worker threads: `--pool threads|vmThreads`, or `pool` so in the config or an inline project. */
export function usesThreads(config: UserConfig, argv: readonly string[]): boolean {
  const threads = (pool: unknown): boolean => pool === 'threads' || pool === 'vmThreads';
  for (let i = 0; i < argv.length; i++) {
    const match = /^--pool(?:=(.*))?$/.exec(argv[i]!);
    if (match !== null && threads(match[1] ?? argv[i + 1])) return true;
  }
  const test = (config as { test?: { pool?: unknown; projects?: unknown[] } }).test;
  if (threads(test?.pool)) return true;
  return (test?.projects ?? []).some((project) => threads((project as { test?: { pool?: unknown } } | null)?.test?.pool));
}

/** Vitest's test/cli-api: the names a project config file may have, and the ones a folder's is found by, in order. */
const PROJECT_CONFIG = /^vite(?:st)?(?:\.[\w-]+)?\.config\./;
const CONFIG_FILES = ['vitest.config', 'vite.config'].flatMap((name) => ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => name + ext));

interface Globber {
  glob(patterns: string[], options: Record<string, unknown>): Promise<string[]>;
  isDynamicPattern(pattern: string): boolean;
}

/**
 * The projects with each one given by file, folder or glob as an inline project, resolved as
 * Vitest resolves them (resolveTestProjectConfigs in vitest's cli-api: `<rootDir>`, globs by its
 * own tinyglobby with its options, a folder's config file, a folder without one). Anything that
 * would not resolve is left as it is, for Vitest's own error.
 */
async function withFileProjects(projects: unknown[], root: string, wrapped: WrappedConfig): Promise<unknown[]> {
  const { glob, isDynamicPattern } = createRequire(join(wrapped.vitest, 'package.json'))('tinyglobby') as Globber;
  const result: unknown[] = [];
  const patterns: string[] = [];
  for (const project of projects) {
    if (typeof project !== 'string') {
      result.push(project);
      continue;
    }
    const given = project.replace('<rootDir>', root);
    if (isDynamicPattern(given)) patterns.push(given);
    else result.push(fileProject(resolve(root, given), wrapped) ?? project);
  }
  if (patterns.length > 0) {
    const matches = await glob(patterns, { absolute: true, dot: true, onlyFiles: false, cwd: root, expandDirectories: false, ignore: ['**/node_modules/**', '**/*.timestamp-*', '**/.DS_Store'] });
    for (const path of matches) {
      const inline = fileProject(path, wrapped);
      // A match Vitest would refuse: keep it as a pattern of its own, for Vitest's own message.
      result.push(inline ?? path);
    }
  }
  return result;
}

/**
 * An inline project for a config file or a folder, as Vitest would have made it: `extends` the
 * file (its plugins, settings and tags), its folder as root, its name (the config's own, else the
 * folder's package.json name, else the folder's name: Vitest's naming of file projects), and the
 * trapdoor plugin. Undefined for what is neither a project config file nor a folder.
 */
function fileProject(path: string, wrapped: WrappedConfig): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  let configFile: string | undefined;
  let dir: string;
  if (statSync(path).isDirectory()) {
    dir = path.replace(/[\\/]$/, '');
    const files = new Set(readdirSync(dir));
    const found = CONFIG_FILES.find((file) => files.has(file));
    configFile = found === undefined ? undefined : join(dir, found);
  } else {
    if (!PROJECT_CONFIG.test(basename(path))) return undefined;
    configFile = path;
    dir = dirname(path);
  }
  return { ...(configFile === undefined ? {} : { extends: configFile }), root: dir, plugins: [...trapdoor(wrapped.plugin), asFileProject(dir)] };
}

/**
 * What an inline project gets otherwise than a file project: a name from its index, and its tags
 * from the inline options (none here); given back as Vitest names and tags a file project.
 */
function asFileProject(dir: string): Plugin {
  let tags: unknown;
  return {
    name: 'trapdoor:file-project',
    enforce: 'post',
    config(config) {
      const test = ((config as { test?: Record<string, unknown> }).test ??= {});
      tags = test.tags;
      if (test.name === undefined || test.name === '') test.name = packageName(dir) ?? basename(dir);
    },
    configResolved(config) {
      const test = (config as unknown as { test?: Record<string, unknown> }).test;
      if (test !== undefined) test.tags = tags;
    },
  };
}

/** The part of `configureVitest`'s context used here (vitest/node's types need not be installed to build this). */
export interface CacheKeyContext {
  experimental_defineCacheKeyGenerator?: (generator: () => string | false | undefined) => void;
  /** The project being set up (Vitest 4's configureVitest), with its resolved config. */
  project?: { config?: { pool?: unknown } };
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function packageName(dir: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What Vitest does for its own config file, for the project's, now that the config Vitest loads is
 * the generated one: in watch mode, a change to the project's config file (or what it imports)
 * restarts Vitest; and the contents of those files are part of the key of Vitest's module cache
 * on disk (`experimental.fsModuleCache`), so that a changed alias or plugin is not served stale.
 */
function restartOnChange(files: string[]): Plugin & { configureVitest?: (context: CacheKeyContext) => void } {
  return {
    name: 'trapdoor:project-config',
    configureVitest({ experimental_defineCacheKeyGenerator: define }) {
      define?.(() => files.map((file) => readOr(file)).join('\0'));
    },
    configureServer(server) {
      if (server.config.server.watch === null) return;
      server.watcher.add(files);
      server.watcher.on('change', (file) => {
        // As a change of the generated config: Vitest then restarts as for its config ("Restarting due to config changes...").
        if (files.includes(resolve(file)) && server.config.configFile !== undefined) server.watcher.emit('change', server.config.configFile);
      });
    },
  };
}
