/**
 * What `module.register` loads on Node's hooks thread (install.ts): hooks.ts, loaded in the
 * background. Node 20 holds the main thread in `module.register` until the hooks module has
 * loaded and `initialize` has returned, and hooks.ts with its imports (the settings' glob matcher,
 * the cache) takes 10-15 ms to load there: time in which the main thread can load the runtime.
 *
 * Until hooks.ts has loaded, every request is passed on untouched. That is safe because all of
 * them are trapdoor's own, never instrumented: the hooks thread's loading of hooks.ts itself, and
 * what the preload loads on the main thread (the loader, the runtime). The program's first module
 * comes after the preload, which waits for `ready` before it ends (install.ts `waitForHooks`).
 * Should hooks.ts fail to load, the program's imports fail with that error.
 */
import type * as Hooks from './hooks.js';

type HooksModule = typeof Hooks;

export interface EntryData extends Hooks.HooksData {
  /** Set to 1 (and notified) once hooks.ts has loaded or failed to (Int32Array on a SharedArrayBuffer). */
  ready: Int32Array;
}

let hooks: Promise<HooksModule> | undefined;
let settled = false;

export function initialize(data: EntryData): void {
  const { ready, ...hooksData } = data;
  hooks = import('./hooks.js').then((loaded) => {
    loaded.initialize(hooksData);
    return loaded;
  });
  const done = (): void => {
    settled = true;
    Atomics.store(ready, 0, 1);
    Atomics.notify(ready, 0);
  };
  // A failure is the first hook's to report (below); here it only settles.
  hooks.then(done, done);
}

export async function resolve(...args: Parameters<HooksModule['resolve']>): ReturnType<HooksModule['resolve']> {
  if (!settled || hooks === undefined) return args[2](args[0], args[1]);
  return (await hooks).resolve(...args);
}

export async function load(...args: Parameters<HooksModule['load']>): ReturnType<HooksModule['load']> {
  if (!settled || hooks === undefined) return args[2](args[0], args[1]);
  return (await hooks).load(...args);
}
