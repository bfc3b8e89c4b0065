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
import { workerThreads } from './threads.js';
// Bundled into the runtime's entries (scripts/bundle-entry.mjs): the package's own rules, over
// the addon opened below without the CommonJS loader.
import { createNative, loadFailure } from '@trapdoor-js/native/core';

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
  let native: NativeModule | undefined;
  try {
    native = openNative();
  } catch {
    native = undefined; // the agent's files not found: said below
  }
  if (native !== undefined) {
    if (!native.isAvailable()) return native.loadError()?.message ?? '@trapdoor-js/native did not load';
    Object.defineProperty(holder, LOADED_KEY, { value: native, enumerable: false, configurable: true, writable: false });
    return usingNative(native);
  }
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

/**
 * Node and Bun: the addon of the package found beside the agent, opened as the package's entry
 * would open it first (build/Release when it is there, else this platform's glibc prebuild) but
 * with process.dlopen, and the package's API built over it by the package's own rules (core.cjs):
 * no CommonJS loader, which cost every instrumented process about 2 ms of CPU on Node and 1.3 MiB
 * resident on Bun (the package's entry required, its loader started). Undefined where that file
 * does not open (no copy in a node_modules folder, a musl system, no file): then the package's
 * entry is required, whose search and errors are the package's. Once the file opened it is never
 * loaded again in this thread (the addon's init, run twice, registers its cleanup hook twice,
 * which aborts Node): an addon without start() is reported as the package reports it.
 */
function openNative(): NativeModule | undefined {
  const proc = typeof process === 'undefined' ? undefined : process;
  if (denoFiles || typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' || typeof proc?.dlopen !== 'function') return undefined;
  const entry = nearestNative(agentDir());
  if (entry === undefined) return undefined;
  const dir = dirname(entry);
  const built = `${dir}/build/Release/trapdoor_native.node`;
  const file = exists(built) ? built : `${dir}/prebuilds/${proc.platform}-${proc.arch}/node.napi.glibc.node`;
  const addon = { exports: {} as { start?: unknown } };
  try {
    proc.dlopen(addon, file);
  } catch {
    return undefined;
  }
  if (typeof addon.exports.start !== 'function') return createNative(null, loadFailure(new Error('the addon has no start()')), workerThreads) as NativeModule;
  return createNative(addon.exports, null, workerThreads) as NativeModule;
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
