/**
 * Where the runtime gets @trapdoor-js/native (an optional dependency): the signal watcher
 * (activation-triggers.ts) and the deadline watcher (deadline.ts). Resolved from the agent's
 * folder, so a bundled runtime finds the copy in its trapdoor-runtime/ folder; on Deno only with
 * the permissions that reading and loading it need (asking would stop the program at a prompt).
 */
import { ancestors, dirname, join } from './paths.js';
import { denoFiles, exists, realPath, useNativeFiles } from './host-fs.js';
import { agentDir, createRequire, reportedFile } from './package-files.js';
import { denoAllows } from './permissions.js';
import { addonFile, loadFfiWatchers, type SignalWatchers } from './native-ffi.js';

export type NativeModule = typeof import('@trapdoor-js/native');

/**
 * The signal watcher (activation-triggers.ts), or why not as a sentence. On Deno first through
 * FFI (native-ffi.ts: no CommonJS loaded), which needs --allow-ffi for every path (Deno refuses
 * pointers to a path-scoped grant such as `trapdoor run`'s); else, and where that
 * cannot load (an addon built before its C entry point), the package itself.
 */
export function loadSignalWatchers(what: string): SignalWatchers | string {
  if (denoFiles && denoAllows({ name: 'read', path: dirname(reportedFile) }) && denoAllows({ name: 'ffi' })) {
    try {
      const entry = nearestNative(agentDir());
      if (entry !== undefined) {
        const watchers = loadFfiWatchers(addonFile(dirname(entry), exists));
        if (typeof watchers !== 'string') return watchers;
      }
    } catch {
      // the agent's files not found: loadNativeAddon says so
    }
  }
  return loadNativeAddon(what);
}

/**
 * The addon once a copy of the runtime in this thread loaded it, shared by every copy (the ESM and
 * CommonJS builds, and the entries bundled apart: index.js and deadline.js each hold a copy of
 * this file, and a test process loads both), as the control block is: the second copy neither
 * looks the package up again nor asks the loader for it. Only a success is kept: a copy that
 * could not load it (Deno without a permission) says why each time.
 */
const LOADED_KEY = Symbol.for('trapdoor.native-addon');
type LoadedHolder = { [LOADED_KEY]?: NativeModule };

/** The loaded addon, or why not as a sentence that names `what` needs it ("the native signal watcher"). */
export function loadNativeAddon(what: string): NativeModule | string {
  const holder = globalThis as LoadedHolder;
  const loaded = holder[LOADED_KEY];
  if (loaded !== undefined) return usingNative(loaded);
  if (!denoAllows({ name: 'read', path: dirname(reportedFile) })) return `Deno was not given --allow-read (the runtime cannot find ${what})`;
  let native: NativeModule;
  try {
    const require = createRequire(join(agentDir(), 'agent-worker.js'));
    const entry = resolveNative(require, agentDir());
    if (!denoAllows({ name: 'ffi', path: dirname(entry) })) return `Deno was not given --allow-ffi (${what} cannot load)`;
    native = require(entry) as NativeModule;
  } catch (error) {
    return `@trapdoor-js/native is not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  if (!native.isAvailable()) return native.loadError()?.message ?? '@trapdoor-js/native did not load';
  Object.defineProperty(holder, LOADED_KEY, { value: native, enumerable: false, configurable: true, writable: false });
  return usingNative(native);
}

/** Bun: this copy's state-file operations through the addon from now on, not node:fs (host-fs.ts). */
function usingNative(native: NativeModule): NativeModule {
  if (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined') useNativeFiles(native._files?.());
  return native;
}

/**
 * Where `require.resolve('@trapdoor-js/native')` is: first the package's entry in the nearest
 * node_modules folder above the agent's (npm's, pnpm's and Deno's own node_modules layouts), as
 * the resolver would find it (the package's `require` condition is that file), symlinks resolved.
 * Deno's Node resolver alone costs an idle process 1.5 MiB resident (bench/startup.mjs's memory
 * rows), and on Node the resolver's walk (each folder's package.json, the exports map) was about
 * 1 ms of CPU in every test process of `trapdoor test`. Else, and where that finds nothing (Yarn's
 * Plug'n'Play, Deno without a node_modules folder), the resolver.
 */
function resolveNative(require: NodeJS.Require, from: string): string {
  return nearestNative(from) ?? require.resolve('@trapdoor-js/native');
}

/**
 * The package's entry in the nearest node_modules folder above `from`, or undefined; on Deno with
 * its symlinks resolved (the path its FFI opens and its permissions name). On Node and Bun as
 * found: their require resolves the symlinks itself (the module a resolved
 * `require('@trapdoor-js/native')` gives is the same one), and Bun's realpath is node:fs's,
 * which would cost an idle Bun process 4 MiB resident.
 */
function nearestNative(from: string): string | undefined {
  for (const dir of ancestors(from)) {
    const entry = join(dir, 'node_modules', '@trapdoor-js', 'native', 'index.cjs');
    if (!exists(entry)) continue;
    if (!denoFiles) return entry;
    try {
      return realPath(entry);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
