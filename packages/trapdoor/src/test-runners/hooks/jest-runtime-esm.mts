/**
 * jest-runtime.cts for the ES modules Jest runs with `--experimental-vm-modules`: the worker
 * process's runtime from the test environment's global, or else the sandbox's own copy.
 *
 * Jest keeps this module per test file, and an ES module setup file (setupFiles) runs before
 * trapdoor's runner puts the worker's runtime on the global: the bindings are then the sandbox's
 * copy. They are `let`s, which every importer reads live, so when the runner publishes the
 * worker's runtime (an assignment to the global's key, caught by the accessor set here) every
 * module of the test file, the setup file's included, binds the worker's, whose deadline
 * trapdoor arms (bound once, a stuck test spun forever). The emitted checks read `flags` as a
 * value (`F[0]`) and call `trap` directly, so a getter or a wrapper function would not do: the
 * first is not possible for an ES module's export, the second would be a frame in every stop.
 */
import type * as Runtime from '@trapdoor-js/runtime';

type Bindings = Pick<typeof Runtime, 'flags' | 'trap' | 'register'>;
const RUNTIME_KEY = Symbol.for('trapdoor.jest.runtime');
const global = globalThis as Record<symbol, unknown>;

export let flags: Bindings['flags'];
export let trap: Bindings['trap'];
export let register: Bindings['register'];

function bind(runtime: Bindings): void {
  flags = runtime.flags;
  trap = runtime.trap;
  register = runtime.register;
}

/** The bridges of this global waiting for the worker's runtime (a `jest.resetModules()` makes another). */
type Waiting = Set<(runtime: Bindings) => void>;
const WAITING_KEY = Symbol.for('trapdoor.jest.runtime-waiting');

let published = global[RUNTIME_KEY] as Bindings | undefined;
if (published === undefined) {
  const own = (await import(process.env.TRAPDOOR_JEST_RUNTIME_ESM || '@trapdoor-js/runtime')) as Bindings;
  published = global[RUNTIME_KEY] as Bindings | undefined;
  if (published === undefined) {
    bind(own);
    let waiting = global[WAITING_KEY] as Waiting | undefined;
    if (waiting === undefined) {
      const all: Waiting = (waiting = new Set());
      let value: Bindings | undefined;
      Object.defineProperty(global, WAITING_KEY, { configurable: true, enumerable: false, value: all });
      Object.defineProperty(global, RUNTIME_KEY, {
        configurable: true,
        enumerable: false,
        get: () => value,
        set(runtime: Bindings | undefined) {
          value = runtime;
          if (runtime !== undefined && runtime !== null) for (const rebind of all) rebind(runtime);
        },
      });
    }
    waiting.add(bind);
  }
}
if (published !== undefined) bind(published);
