/**
 * Node's resolution of a bare specifier (`magic-string`, `@trapdoor-js/transform`,
 * `@jridgewell/trace-mapping`) from a file: the nearest node_modules folder that has the package,
 * then its package.json "exports" under the given conditions (else "main", else index.js), then
 * the real path (so that a dependency installed by pnpm, a symbolic link into its store, finds its
 * own dependencies next to it).
 *
 * Deno resolves bare specifiers through the project's configuration (its import map, its
 * package.json, its nodeModulesDir setting), so trapdoor's own modules resolve their imports with
 * this instead (own-modules.ts). Every file system access is made only where Deno already allows
 * reading: a probe elsewhere would stop the program or, in a terminal, prompt the user.
 */
import { builtinModules } from 'node:module';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The conditions Deno's own resolver uses for `import` of an npm package. */
export const IMPORT_CONDITIONS = ['deno', 'node', 'import', 'default'];
export const REQUIRE_CONDITIONS = ['deno', 'node', 'require', 'default'];

interface DenoPermissions {
  querySync?(descriptor: { name: 'read'; path: string }): { state: string };
}
const permissions = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;

/** Whether `path` may be read without a prompt or an error (always outside Deno). */
export function mayRead(path: string): boolean {
  if (!permissions?.querySync) return true;
  try {
    return permissions.querySync({ name: 'read', path }).state === 'granted';
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  if (!mayRead(path)) return false;
  try {
    // No error for a missing file: building one (and its stack) is most of a failed probe's cost on Deno.
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

const manifests = new Map<string, Manifest | null>();

export interface Manifest {
  name?: string;
  type?: string;
  main?: string;
  exports?: unknown;
}

/** A folder's package.json, or null (none, unreadable, or not allowed). Cached. */
export function readManifest(dir: string): Manifest | null {
  let manifest = manifests.get(dir);
  if (manifest !== undefined) return manifest;
  const path = join(dir, 'package.json');
  manifest = null;
  if (isFile(path)) {
    try {
      manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    } catch {
      manifest = null;
    }
  }
  manifests.set(dir, manifest);
  return manifest;
}

export interface Resolved {
  /** An absolute real path, or `node:<name>` for a builtin module. */
  target: string;
  /** The package's folder (real path); undefined for a builtin. */
  packageDir?: string;
}

/** Resolves `specifier` (bare) imported from the file `parent`; undefined when it cannot be found. */
export function resolveBare(specifier: string, parent: string, conditions: readonly string[] = IMPORT_CONDITIONS): Resolved | undefined {
  // The modules of one folder import the same packages: each lookup is made once.
  const key = `${dirname(parent)}\0${specifier}\0${conditions.join()}`;
  if (resolutions.has(key)) return resolutions.get(key);
  const resolved = lookUp(specifier, parent, conditions);
  resolutions.set(key, resolved);
  return resolved;
}

const resolutions = new Map<string, Resolved | undefined>();

function lookUp(specifier: string, parent: string, conditions: readonly string[]): Resolved | undefined {
  if (specifier.startsWith('node:')) return { target: specifier };
  if (builtinModules.includes(specifier)) return { target: `node:${specifier}` };
  const match = /^((?:@[^/]+\/)?[^/@][^/]*)(\/.*)?$/.exec(specifier);
  if (!match) return undefined;
  const name = match[1]!;
  const subpath = `.${match[2] ?? ''}`;
  for (let dir = dirname(parent); ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const packageDir = join(dir, 'node_modules', name);
      const manifest = readManifest(packageDir);
      if (manifest !== null) return inPackage(packageDir, manifest, subpath, conditions);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function inPackage(dir: string, manifest: Manifest, subpath: string, conditions: readonly string[]): Resolved | undefined {
  let file: string | undefined;
  if (manifest.exports !== undefined && manifest.exports !== null) {
    const target = exportsTarget(manifest.exports, subpath, conditions);
    file = target === undefined ? undefined : join(dir, target);
    if (file !== undefined && !isFile(file)) file = undefined;
  } else {
    file = legacy(subpath === '.' ? join(dir, manifest.main ?? 'index.js') : join(dir, subpath));
  }
  if (file === undefined) return undefined;
  const real = (path: string) => {
    try {
      return mayRead(path) ? realpathSync(path) : path;
    } catch {
      return path;
    }
  };
  return { target: real(file), packageDir: real(dir) };
}

/** "main" or a subpath without "exports": the file, or with .js/.json, or its folder's index.js. */
function legacy(path: string): string | undefined {
  for (const candidate of [path, `${path}.js`, `${path}.json`, join(path, 'index.js')]) {
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

/** The "exports" target for a subpath (`.`, `./sub`), patterns with `*` included; undefined when not exported. */
export function exportsTarget(exports: unknown, subpath: string, conditions: readonly string[]): string | undefined {
  const map = isSubpathMap(exports) ? (exports as Record<string, unknown>) : { '.': exports };
  if (Object.hasOwn(map, subpath)) return pick(map[subpath], conditions, undefined);
  // The longest pattern whose prefix (and suffix) matches, as Node picks it.
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      if (best === undefined || prefix.length > best.key.indexOf('*')) best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best === undefined ? undefined : pick(map[best.key], conditions, best.star);
}

function isSubpathMap(exports: unknown): boolean {
  return exports !== null && typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
}

function pick(target: unknown, conditions: readonly string[], star: string | undefined): string | undefined {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) return undefined;
    return star === undefined ? target : target.replaceAll('*', star);
  }
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = pick(item, conditions, star);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (target !== null && typeof target === 'object') {
    // Conditions apply in the object's own key order: the first one that is ours wins.
    for (const [condition, value] of Object.entries(target as Record<string, unknown>)) {
      if (!conditions.includes(condition)) continue;
      const found = pick(value, conditions, star);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
