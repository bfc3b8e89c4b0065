/**
 * The runtime's own files for a self-contained bundle (`bundleRuntime: true`): a bundled runtime
 * still starts threads from files (the agent worker, the control-socket worker) and loads the
 * inspector from a file on activation, so the adapter writes them next to the bundle, in
 * `trapdoor-runtime/`, laid out as an installed package: the runtime's package.json and compiled
 * builds (dist/esm, dist/cjs), and under `trapdoor-runtime/node_modules/` what they import (ws,
 * devtools-protocol's js_protocol.json, @jridgewell/trace-mapping and its dependencies, and the
 * native signal watcher with its compiled addon when it is installed). The bundled runtime finds
 * the folder from its own file (runtime package-files.ts `buildDir()`).
 *
 * Hand-written rather than npm-packlist: what is needed is not what a package publishes (no
 * types, maps, sources or docs), and its dependencies are looked up like Node does, below.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

export const RUNTIME_FOLDER = 'trapdoor-runtime';
const RUNTIME_PACKAGE = '@trapdoor-js/runtime';

export interface RuntimeAsset {
  /** Relative to the bundle's output folder, `/`-separated (as bundlers name assets). */
  fileName: string;
  source: Buffer;
}

/** What the runtime loads at run time: code, JSON, compiled addons; and the licences. */
const WANTED = /\.(?:js|cjs|mjs|json|node)$|^LICEN[CS]E/i;
/** Never loaded at run time. */
const SKIPPED_DIRS = new Set(['node_modules', 'src', 'test', 'tests', '__tests__', 'docs', 'types', 'scripts', 'obj.target', '.deps', '.git']);
/** Tooling configuration at a package's top (a workspace package holds them), never loaded. */
const CONFIG_FILE = /^(?:tsconfig(?:\..*)?|jsconfig|turbo|\.?eslintrc(?:\..*)?)\.json$/;
/** Packages of which the runtime reads one file or two: only those. */
const ONLY: Record<string, string[]> = { 'devtools-protocol': ['package.json', 'LICENSE', 'json/js_protocol.json'] };

function filesOf(dir: string, name: string): string[] {
  const only = ONLY[name];
  if (only !== undefined) return only.filter((file) => existsSync(join(dir, file)));
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if ((entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) && WANTED.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name) && !CONFIG_FILE.test(entry.name)) {
        out.push(relative(dir, path));
      }
    }
  };
  walk(dir);
  return out;
}

/** The folder of package `name` as Node finds it from `from` (a folder): node_modules up the tree. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The runtime's package folder as the project (or else trapdoor-js itself) resolves it. */
export function runtimePackageDir(root: string): string | undefined {
  for (const from of [join(root, 'package.json'), import.meta.url]) {
    try {
      return dirname(createRequire(from).resolve(`${RUNTIME_PACKAGE}/package.json`));
    } catch {
      // not from there
    }
  }
  return undefined;
}

const cache = new Map<string, RuntimeAsset[]>();

/**
 * Every file of `trapdoor-runtime/` for the runtime installed at `runtimeDir`. Read once per
 * process and runtime folder (a watch build emits them again from memory).
 */
export function runtimeAssets(runtimeDir: string): RuntimeAsset[] {
  const known = cache.get(runtimeDir);
  if (known !== undefined) return known;
  const assets: RuntimeAsset[] = [];
  const add = (dir: string, name: string, into: string): void => {
    for (const file of filesOf(dir, name)) {
      assets.push({ fileName: [RUNTIME_FOLDER, into, ...file.split(sep)].filter((part) => part !== '').join('/'), source: readFileSync(join(dir, file)) });
    }
  };
  add(runtimeDir, RUNTIME_PACKAGE, '');
  // Dependencies, flat under trapdoor-runtime/node_modules (the first version found wins).
  const seen = new Set<string>([RUNTIME_PACKAGE]);
  const queue: Array<{ name: string; from: string; optional: boolean }> = [];
  const enqueue = (dir: string): void => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies ?? {})) queue.push({ name, from: dir, optional: false });
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) queue.push({ name, from: dir, optional: true });
  };
  enqueue(runtimeDir);
  while (queue.length > 0) {
    const { name, from, optional } = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const dir = packageDir(name, from);
    if (dir === undefined) {
      // An optional dependency that is not installed (the native addon on a platform without
      // it) is left out: the runtime then does without it, as where it is installed.
      if (optional) continue;
      throw new Error(`trapdoor-js: bundleRuntime: ${name}, which ${RUNTIME_PACKAGE} needs, is not installed (looked from ${from})`);
    }
    add(dir, name, `node_modules/${name}`);
    enqueue(dir);
  }
  cache.set(runtimeDir, assets);
  return assets;
}
