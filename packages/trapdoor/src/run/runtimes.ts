/**
 * The command line `trapdoor run` starts for each runtime: which executable, and the flags that
 * load trapdoor's loader into it (and, for Deno, the permissions the runtime needs, merged with
 * the user's own).
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import { cacheDir } from '../cache/disk-cache.js';

export type RuntimeName = 'node' | 'bun' | 'deno';
export const RUNTIMES: readonly RuntimeName[] = ['node', 'bun', 'deno'];

/** The loader's entry in this package: dist/loaders/<runtime>/register.js (register.cjs for Node's --require). */
export function registerFile(runtime: RuntimeName): string {
  return fileURLToPath(new URL(`../loaders/${runtime}/register.${runtime === 'node' ? 'cjs' : 'js'}`, import.meta.url));
}

export interface ChildCommand {
  executable: string;
  args: string[];
}

export interface CommandOptions {
  runtime: RuntimeName;
  /** Options for the runtime itself, given before the script, passed on as they are (Deno's permissions merged). */
  runtimeFlags: string[];
  script: string;
  args: string[];
  host: string | undefined;
  /** The file TRAPDOOR_DEBUG_DUMP_MODULES names, if set: Deno must be allowed to write it. */
  dumpFile: string | undefined;
  /**
   * The state directory the runtime writes its state file and control socket to (for
   * `trapdoor attach`); Deno must be allowed to use it.
   */
  stateDir?: string | undefined;
  /** The control socket's path when the runtime is told it (TRAPDOOR_CONTROL_SOCKET): Deno must be allowed to listen there. */
  controlSocket?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function childCommand(options: CommandOptions): ChildCommand {
  const { runtime, runtimeFlags, script, args } = options;
  const executable = findExecutable(runtime, options.cwd, options.env);
  const register = registerFile(runtime);
  switch (runtime) {
    case 'node':
      // --require, not --import: with --import Node 20 runs a CommonJS entry through its ES module loader.
      return { executable, args: [...runtimeFlags, '--require', register, script, ...args] };
    case 'bun':
      return { executable, args: [...runtimeFlags, '--preload', register, script, ...args] };
    case 'deno':
      return {
        executable,
        // Nothing about module resolution is added: the program's imports resolve as its own
        // configuration says, and trapdoor's resolve themselves (loaders/deno/own-modules.ts).
        args: ['run', ...denoPermissions(runtimeFlags, denoNeeds(options)), '--preload', register, script, ...args],
      };
  }
}

/**
 * The executable: `TRAPDOOR_NODE`, `TRAPDOOR_BUN` or `TRAPDOOR_DENO` when set; else Node is the one
 * running trapdoor (unless trapdoor itself runs on Bun or Deno); Bun and Deno come from PATH, else
 * from a node_modules/.bin above the working directory or above trapdoor (where
 * `npm install bun` / `npm install deno` put them).
 */
export function findExecutable(runtime: RuntimeName, cwd: string, env: NodeJS.ProcessEnv): string {
  const variable = `TRAPDOOR_${runtime.toUpperCase()}`;
  const given = env[variable];
  if (given !== undefined && given !== '') {
    const path = resolve(cwd, given);
    if (!isExecutable(path)) throw new CliError('ERR_TRAPDOOR_NOT_FOUND', `${variable}=${given} is not an executable file`);
    return path;
  }
  const versions = process.versions as Record<string, string | undefined>;
  if (runtime === 'node' && versions.bun === undefined && versions.deno === undefined) return process.execPath;
  if ((runtime === 'bun' && versions.bun !== undefined) || (runtime === 'deno' && versions.deno !== undefined)) return process.execPath;
  // `bunx --bun` puts a `node` on PATH that is Bun itself: Node must be a real one.
  const self = versions.bun !== undefined || versions.deno !== undefined ? realPath(process.execPath) : undefined;
  return findIn(searchDirs(cwd, env), runtime, (path) => self !== undefined && realPath(path) === self);
}

/**
 * The runtime `trapdoor run` uses without --runtime: the one running trapdoor (Deno too, for
 * `deno run -A npm:trapdoor-js run app.ts`). `bunx --bun trapdoor`
 * runs the CLI on Bun, with a `node` on PATH that is Bun too: Node's loader would then run on Bun,
 * where it cannot make the program attachable.
 */
export function defaultRuntime(versions: Record<string, string | undefined> = process.versions): RuntimeName {
  return versions.bun !== undefined ? 'bun' : versions.deno !== undefined ? 'deno' : 'node';
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** PATH, then every node_modules/.bin from the working directory up, then from trapdoor up. */
export function searchDirs(cwd: string, env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter((d) => d !== '');
  for (const start of [cwd, fileURLToPath(new URL('.', import.meta.url))]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      dirs.push(join(dir, 'node_modules', '.bin'));
      if (dirname(dir) === dir) break;
    }
  }
  return dirs;
}

export function findIn(dirs: string[], runtime: RuntimeName, skip: (path: string) => boolean = () => false): string {
  const names = process.platform === 'win32' ? [`${runtime}.exe`, `${runtime}.cmd`, runtime] : [runtime];
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutable(candidate) && !skip(candidate)) return candidate;
    }
  }
  throw new CliError(
    'ERR_TRAPDOOR_NOT_FOUND',
    `cannot find the ${runtime} executable: put it on PATH, install it in the project (npm install --save-dev ${runtime}), or name it in TRAPDOOR_${runtime.toUpperCase()}`,
  );
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Deno

// Deno permissions

type Permission = 'read' | 'write' | 'net' | 'env' | 'ffi';
const SHORT: Record<string, Permission> = { '-R': 'read', '-W': 'write', '-N': 'net', '-E': 'env' };

export type DenoNeeds = Partial<Record<Permission, string[]>>;

/**
 * What the trapdoor runtime needs under Deno (packages/runtime/src/inspector/agent/README.md): to read its
 * own files and its dependencies' (the agent worker, the protocol description) and the entry
 * script; to listen on the debugger's host; the environment variables `ws`, trapdoor and the
 * transform's dependencies read; and
 * to load the native signal watcher; to write its state file and control socket (discovery by
 * `trapdoor attach`). Plus writing the debug dump, when one is asked for, and reading and writing
 * the cache of instrumented modules.
 */
function denoNeeds(options: CommandOptions): DenoNeeds {
  // The loader resolves its own imports as Node does (loaders/deno/own-modules.ts): it reads the
  // package.json of every package it imports, the transform's dependencies included. The closure
  // holds trapdoor's own packages (the runtime, the transform, the native watcher) and the
  // runtime's dependencies, each by the path Node finds it at and by its real path: the folders
  // `locate()` names, found in one walk.
  const closure = packageClosure(fileURLToPath(new URL('../../', import.meta.url)));
  const read = [...new Set([...closure, ...closure.filter(inNodeModules).flatMap(requireProbes)])];
  const script = resolve(options.cwd, options.script);
  read.push(script);
  try {
    const real = realpathSync(script);
    if (real !== script) read.push(real);
  } catch {
    // checked by the caller
  }
  const host = options.host ?? '127.0.0.1';
  const needs: DenoNeeds = {
    read,
    net: [host.includes(':') && !host.startsWith('[') ? `[${host}]` : host, ...(options.controlSocket ? [`unix:${options.controlSocket}`] : [])],
    // ws reads two when it loads; the transform's dependencies (picocolors, @babel/types) six more.
    env: ['WS_NO_BUFFER_UTIL', 'WS_NO_UTF_8_VALIDATE', 'TRAPDOOR_*', 'NO_COLOR', 'FORCE_COLOR', 'TERM', 'CI', 'BABEL_8_BREAKING', 'BABEL_TYPES_8_BREAKING'],
  };
  const native = closure.find((dir) => /[\\/]native$/.test(dir) && packageName(dir) === '@trapdoor-js/native');
  if (native !== undefined) needs.ffi = [native];
  const write: string[] = [];
  if (options.dumpFile) write.push(resolve(options.cwd, options.dumpFile));
  if (options.stateDir) {
    read.push(options.stateDir);
    write.push(options.stateDir);
  }
  // The cache of instrumented modules (cache/disk-cache.ts), unless it is off, and its debug log.
  const cache = cacheDir(options.cwd);
  if (cache !== undefined) {
    read.push(cache);
    write.push(cache);
    const log = process.env.TRAPDOOR_DEBUG_CACHE;
    if (log) write.push(resolve(options.cwd, log));
  }
  if (write.length > 0) needs.write = write;
  return needs;
}

/**
 * Deno's `require('name')` (Node's resolution) stats `node_modules/name.js` and the other
 * extensions before the folder, and with --allow-read scoped to the folder that stat is refused
 * instead of failing ("Requires read access to …/node_modules/@babel/parser.js"). So the read
 * permission names those files too (normally none of them exists).
 */
const DENO_REQUIRE_EXTENSIONS = ['.js', '.cjs', '.mjs', '.wasm', '.json', '.node'];
const inNodeModules = (dir: string): boolean => /[\\/]node_modules[\\/]/.test(dir);
const requireProbes = (dir: string): string[] => DENO_REQUIRE_EXTENSIONS.map((ext) => `${dir.replace(/[\\/]+$/, '')}${ext}`);

/**
 * The user's runtime flags with trapdoor's permissions merged in. Deno refuses a permission flag
 * given twice, so a scoped one of the user's (`--allow-read=./data`) becomes one flag with both
 * lists; an unscoped one (`--allow-read`, `-R`) or `--allow-all` already covers ours. Denials
 * (`--deny-*`) are left as the user wrote them and win: an outright one stops trapdoor asking
 * for that permission at all, and the runtime does without (or says what it misses).
 */
export function denoPermissions(flags: string[], needs: DenoNeeds): string[] {
  const all = flags.some((f) => f === '-A' || f === '--allow-all');
  const out: string[] = [];
  const scoped = new Map<Permission, string[]>();
  const unscoped = new Set<Permission>();
  for (const flag of flags) {
    const parsed = parsePermission(flag);
    if (parsed === undefined) {
      out.push(flag);
      continue;
    }
    if (parsed.values === undefined) {
      unscoped.add(parsed.permission);
      out.push(flag);
    } else {
      scoped.set(parsed.permission, [...(scoped.get(parsed.permission) ?? []), ...parsed.values]);
    }
  }
  // A permission the user denies outright (`--deny-ffi`) is not granted back for trapdoor: the
  // runtime does without it (e.g. the control socket instead of the signal watcher).
  const denied = new Set(flags.map((f) => /^--deny-(read|write|net|env|ffi)$/.exec(f)?.[1]).filter((p): p is Permission => p !== undefined));
  const permissions = new Set<Permission>([...scoped.keys(), ...(Object.keys(needs) as Permission[]).filter((p) => !denied.has(p))]);
  for (const permission of permissions) {
    if (all || unscoped.has(permission)) {
      // Already allowed everywhere; a scoped flag of the user's next to it is dropped (Deno would refuse both).
      continue;
    }
    const values = [...new Set([...(scoped.get(permission) ?? []), ...(needs[permission] ?? [])])];
    if (values.length > 0) out.push(`--allow-${permission}=${values.join(',')}`);
  }
  return out;
}

function parsePermission(flag: string): { permission: Permission; values: string[] | undefined } | undefined {
  const short = SHORT[flag];
  if (short !== undefined) return { permission: short, values: undefined };
  const match = /^--allow-(read|write|net|env|ffi)(?:=(.*))?$/.exec(flag);
  if (!match) return undefined;
  const values = match[2] === undefined ? undefined : match[2].split(',').filter((v) => v !== '');
  return { permission: match[1] as Permission, values: values?.length === 0 ? undefined : values };
}

function packageName(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/**
 * The folders of a package and of everything it depends on (optional dependencies included),
 * found as Node finds them (the nearest node_modules above each dependent), each by the path it
 * was found at and by its real path (pnpm links packages into its store).
 */
export function packageClosure(root: string): string[] {
  // realpath(3) in one call: Node's JS realpathSync lstat's every component of every path (41
  // paths for trapdoor's own closure, on the way to every Deno start).
  const realPathOf = realpathSync.native ?? realpathSync;
  // Joined by hand: every part is normal already (real paths, their dirname, package names), and
  // path.join normalizes each result character by character (cold, a third of this function's time).
  const under = (dir: string, ...names: string[]): string => {
    const tail = names.join('/');
    return (dir.endsWith(sep) ? dir : dir + sep) + (sep === '/' ? tail : tail.replaceAll('/', sep));
  };
  const dirs = new Set<string>();
  // Most folders above a package have no node_modules: asked once each, not once per dependency
  // (205 probes became about 60 for trapdoor's own closure; this runs before every Deno start).
  const hasNodeModules = new Map<string, boolean>();
  const nodeModulesIn = (at: string): boolean => {
    let found = hasNodeModules.get(at);
    if (found === undefined) hasNodeModules.set(at, (found = existsSync(under(at, 'node_modules'))));
    return found;
  };
  const visit = (dir: string) => {
    let real: string;
    try {
      real = realPathOf(dir);
    } catch {
      return;
    }
    if (dirs.has(real)) return;
    dirs.add(real);
    dirs.add(dir === root ? resolve(dir) : dir);
    let manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(under(real, 'package.json'), 'utf8'));
    } catch {
      return;
    }
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      for (let at = real; ; ) {
        if (nodeModulesIn(at)) {
          const candidate = under(at, 'node_modules', name);
          if (existsSync(under(candidate, 'package.json'))) {
            visit(candidate);
            break;
          }
        }
        const parent = dirname(at);
        if (parent === at) break;
        at = parent;
      }
    }
  };
  visit(root);
  return [...dirs];
}
