/**
 * What `module.register` loads on Node's hooks thread (install.ts), as a `data:` URL of this
 * file's compiled text: the hooks thread then reads no file while Node holds the main thread in
 * `module.register` (its ES module loader reads files asynchronously, through the thread pool).
 * So it imports only node: built-ins; `data.hooks` names hooks-thread.cjs (hooks.ts as one
 * bundled CommonJS file, scripts/bundle-node.mjs).
 *
 * hooks.js is loaded in the background: Node holds the main thread in `module.register` until
 * `initialize` has returned, and loading hooks.js with the cache and settings takes a few ms; the
 * main thread loads the runtime meanwhile. It is `require`d (synchronous, its own file read
 * synchronously) once `initialize` has returned and Node has answered the main thread. Then the
 * hooks thread warms the cache's lookup (hooks.ts `warm`) while the main thread still loads.
 *
 * Until hooks.js has loaded, every request is passed on untouched. That is safe because all of
 * them are trapdoor's own, never instrumented: what the preload loads on the main thread (the
 * loader, the runtime). The program's first module comes after the preload, which waits for
 * `ready` before it ends (install.ts `waitForHooks`). Should hooks.js fail to load, the program's
 * imports fail with that error.
 */
import { createRequire } from 'node:module';
import type * as Hooks from './hooks.js';

type HooksModule = typeof Hooks;

export interface EntryData extends Hooks.HooksData {
  /** Set to 1 (and notified) once hooks.js has loaded or failed to (Int32Array on a SharedArrayBuffer). */
  ready: Int32Array;
  /** The path of hooks-thread.cjs (hooks.js as one CommonJS file). */
  hooks: string;
}

let hooks: HooksModule | undefined;
let failure: unknown;
let settled = false;

export function initialize(data: EntryData): void {
  const { ready, hooks: file, ...hooksData } = data;
  setImmediate(() => {
    try {
      const loaded = createRequire(file)(file) as HooksModule;
      loaded.initialize(hooksData);
      hooks = loaded;
    } catch (error) {
      failure = error;
    }
    settled = true;
    Atomics.store(ready, 0, 1);
    Atomics.notify(ready, 0);
    hooks?.warm();
  });
}

export async function resolve(...args: Parameters<HooksModule['resolve']>): ReturnType<HooksModule['resolve']> {
  if (!settled) return args[2](args[0], args[1]);
  if (hooks === undefined) throw failure;
  return hooks.resolve(...args);
}

export async function load(...args: Parameters<HooksModule['load']>): ReturnType<HooksModule['load']> {
  if (!settled) return args[2](args[0], args[1]);
  if (hooks === undefined) throw failure;
  return hooks.load(...args);
}
