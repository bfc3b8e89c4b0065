/**
 * Where the runtime and trapdoor's own packages are, found from this package, so instrumented code
 * imports the runtime by an absolute URL or path: the program's project does not need to depend on
 * @trapdoor-js/runtime, and a program in another directory finds the same copy.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findPackageDir } from './find-package.js';
import { asDirPrefix, ENV, parseGlobs, readEnv, type LoaderSettings } from './settings.js';

export interface Locations {
  runtimeEsm: string;
  runtimeCjs: string;
  ownDirs: string[];
}

const PACKAGES = ['@trapdoor-js/runtime', '@trapdoor-js/transform', '@trapdoor-js/native'];

/**
 * `canRead`: false on Deno, where reading the file system needs a permission the program may not
 * have; then the CommonJS build is found next to the ES one (dist/esm → dist/cjs, the layout
 * @trapdoor-js/runtime publishes) and paths are not resolved through symbolic links.
 */
export function locate({ canRead, withDependencies = false }: { canRead: boolean; withDependencies?: boolean }): Locations {
  // Once per process and kind: a loader's preload and its hooks both ask (each answer costs
  // several resolutions and package.json reads: about 3 ms of a Deno start). Copies, so no caller
  // changes another's.
  const key = `${canRead} ${withDependencies}`;
  const found = (located[key] ??= findLocations(canRead, withDependencies));
  return { ...found, ownDirs: [...found.ownDirs] };
}
const located: Record<string, Locations> = {};

function findLocations(canRead: boolean, withDependencies: boolean): Locations {
  // Found by a walk, not require.resolve, where that is cheaper (find-package.ts): this runs on
  // the way to every instrumented program's first line.
  const self = fileURLToPath(import.meta.url);
  const packageDir = (name: string): string => (canRead ? findPackageDir(name, self) : dirname(fileURLToPath(import.meta.resolve(`${name}/package.json`))));
  const runtimeDir = canRead ? packageDir('@trapdoor-js/runtime') : undefined;
  const runtimeEsm = runtimeDir !== undefined ? pathToFileURL(packageEntry(runtimeDir, ESM_CONDITIONS)).href : import.meta.resolve('@trapdoor-js/runtime');
  const runtimeCjs = runtimeDir !== undefined ? packageEntry(runtimeDir, CJS_CONDITIONS) : fileURLToPath(new URL('../cjs/index.js', runtimeEsm));

  const dirs = new Set<string>();
  const add = (dir: string) => {
    dirs.add(asDirPrefix(dir));
    if (canRead) {
      try {
        dirs.add(asDirPrefix(realpathSync(dir)));
      } catch {
        // gone or unreadable: the unresolved path is still there
      }
    }
  };
  add(fileURLToPath(new URL('../../', import.meta.url))); // this package: dist/loaders/ → its root
  for (const name of PACKAGES) {
    try {
      add(packageDir(name));
    } catch {
      // @trapdoor-js/native is optional
    }
  }
  // An --include that reaches into node_modules must not instrument what the runtime itself loads
  // (ws, the source-map reader…): they would import the runtime while it is still loading.
  if (withDependencies && canRead) {
    for (const dir of dependencyDirs(packageDir('@trapdoor-js/runtime'))) add(dir);
  }
  return { runtimeEsm, runtimeCjs, ownDirs: [...dirs] };
}

const ESM_CONDITIONS = new Set(['import', 'node', 'default']);
const CJS_CONDITIONS = new Set(['require', 'node', 'default']);

/**
 * The file a package's main entry resolves to under `conditions` (`import` or `require`), from its
 * package.json "exports" as Node reads them (the first key, in the object's order, that is one of
 * the conditions); else "main" (or "module" for `import`). Node gives no `import.meta.resolve` to
 * a module loaded by `require(esm)`, as register.cjs loads us, and `require.resolve` costs more
 * (find-package.ts). Should the file not be there, `require.resolve`/Node's rules decide.
 */
function packageEntry(dir: string, conditions: Set<string>): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: unknown; module?: string; main?: string };
  const pick = (target: unknown): string | undefined => {
    if (typeof target === 'string') return target;
    if (Array.isArray(target)) return target.map(pick).find((t) => t !== undefined);
    if (target !== null && typeof target === 'object') {
      for (const [condition, value] of Object.entries(target as Record<string, unknown>)) {
        if (!conditions.has(condition)) continue;
        const found = pick(value);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  const exportsField = manifest.exports as Record<string, unknown> | string | undefined;
  const main = typeof exportsField === 'object' && exportsField !== null && '.' in exportsField ? exportsField['.'] : exportsField;
  const esm = conditions.has('import');
  const entry = join(dir, pick(main) ?? (esm ? manifest.module : undefined) ?? manifest.main ?? 'index.js');
  if (existsSync(entry)) return entry;
  return esm ? entry : createRequire(join(dir, 'package.json')).resolve(dir);
}

/** Whether a file exists; false where Deno may not look (it throws there instead of asking). */
function readable(file: string): boolean {
  try {
    return existsSync(file);
  } catch {
    return false;
  }
}

/** The installed directories of a package's dependencies, recursively, found as Node finds them. */
function dependencyDirs(root: string, seen = new Set<string>()): string[] {
  let manifest: { dependencies?: Record<string, string> };
  try {
    manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  } catch {
    return [...seen];
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    for (let dir = root; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (readable(join(candidate, 'package.json'))) {
        if (!seen.has(candidate)) {
          seen.add(candidate);
          dependencyDirs(candidate, seen);
        }
        break;
      }
      if (dirname(dir) === dir) break;
    }
  }
  return [...seen];
}

/** What every loader starts from: the include/exclude globs from the environment and trapdoor's own locations. */
export function settingsFromEnv(cwd: string, { canRead }: { canRead: boolean }): LoaderSettings {
  const include = parseGlobs(readEnv(ENV.include));
  return {
    cwd,
    include,
    exclude: parseGlobs(readEnv(ENV.exclude)),
    ...locate({ canRead, withDependencies: canRead && include.length > 0 }),
  };
}
