/**
 * The deadlines trapdoor's Vitest runner (vitest-runner.ts) arms around each test function and
 * each hook, in each test worker (process or thread). This module is loaded by Node itself, not
 * through Vite: Vitest's plugin lists it in `server.deps.external`, so a worker fetches it from
 * Vite's module runner once (as external) and Node loads what it imports (the deadline module,
 * settled.js) with no further fetches; only the small runner file goes through Vite, because its
 * `import 'vitest'` must be the Vitest that runs. It never imports Vitest itself: the runner hands
 * it Vitest's TestRunner and `inject`.
 *
 * Tests: `runTask`, the one documented runner hook that runs exactly the test function — after
 * the `beforeEach` hooks, before `onAfterTryTask` and the `afterEach`/`onTestFinished` hooks, once
 * per retry and repeat — so a test's deadline never covers a hook, and nothing is thrown at after
 * the test ended. (`onBeforeTryTask` runs before the `beforeEach` hooks; a `beforeEach` in a setup
 * file would need `setFn` from @vitest/runner, which a project need not be able to import, and
 * Vitest 4.1's `TestRunner.setTestFn` is `getFn`.)
 * Hooks (beforeAll, afterAll, beforeEach, afterEach): each suite's hook functions are wrapped
 * when the suite starts (`onBeforeRunSuite`, before its beforeAll hooks), so a hook stuck in a loop
 * fails as a hook that timed out, instead of hanging the file.
 *
 * The deadline is the test's own timeout as Vitest computed it when the test was collected
 * (`task.timeout`: the `test(name, fn, ms)` / `{ timeout }` argument, else `testTimeout`), or
 * the plugin's `timeout`; for a hook, its own timeout (beforeAll/beforeEach keep it on the hook;
 * afterAll/afterEach do not: `hookTimeout` for those). The message is Vitest's own wording.
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import type { Suite, Test } from '@vitest/runner';
import type * as Deadline from '@trapdoor-js/runtime/deadline';
import { SETTINGS_KEY, type VitestSettings } from './vitest-settings.js';
import { settled } from './settled.js';

export type RunnerClass = new (...args: any[]) => {
  config: { hookTimeout: number };
  runTask?(test: Test): Promise<void>;
  onBeforeRunSuite?(suite: Suite): unknown;
};
type Hook = (...args: unknown[]) => unknown;

/** What Vitest's TestRunner class has besides the runner: @vitest/runner's helpers. */
interface RunnerStatics {
  /** @vitest/runner's getFn: the test function Vitest wrapped with its timer. */
  getTestFn: (test: Test) => (() => unknown) | undefined;
  /** @vitest/runner's getHooks: the suite's hook lists, read when the hooks run. */
  getSuiteHooks: (suite: Suite) => Record<string, Hook[] | undefined>;
}

/** The settings the plugin provides (vitest-settings.ts), read with Vitest's `inject`. */
export function readSettings(inject: unknown): VitestSettings {
  return ((inject as (key: string) => unknown)(SETTINGS_KEY) ?? {}) as VitestSettings;
}

/**
 * The runtime's deadline module, loaded by withDeadlines from the file URL the plugin resolved in
 * Vitest's main process (the settings' `deadline`): resolving the package's name here instead, in
 * every test worker, walked node_modules and read package.json files for about 1.8 ms of CPU per
 * worker (ufo's 13 forks: ~23 ms); an absolute URL is Node's own import with nothing to look up.
 */
let armDeadline: typeof Deadline.armDeadline;
let disarmDeadline: typeof Deadline.disarmDeadline;

/** Where beforeAll/beforeEach keep their timeout (@vitest/runner's CLEANUP_TIMEOUT_KEY). */
const HOOK_TIMEOUT = Symbol.for('VITEST_CLEANUP_TIMEOUT');
const HOOKS = ['beforeAll', 'afterAll', 'beforeEach', 'afterEach'] as const;

/** Vitest's message for a test or hook that took too long (@vitest/runner's makeTimeoutError). */
function timeoutMessage(ms: number, hook: boolean): string {
  const [what, option] = hook ? ['hook', 'hookTimeout'] : ['test', 'testTimeout'];
  return `${hook ? 'Hook' : 'Test'} timed out in ${ms}ms.\nIf this is a long-running ${what}, pass a timeout value as the last argument or configure it globally with "${option}".`;
}

interface Running {
  at: number;
  message: string;
}

/**
 * What runs on this thread with a deadline: one test or hook at a time, unless tests or hooks are
 * concurrent (`test.concurrent`, `sequence.hooks: 'parallel'`). The thread has one deadline: that
 * of the test or hook whose code runs. One thread runs one piece of code at a time, so a loop
 * belongs to the test that entered it and is held to that test's timeout; a test that only waits
 * meanwhile is failed by Vitest's own timer once the thread is free. (Arming the earliest of them
 * would stop a test busy within its own longer timeout because another's shorter one passed.)
 *
 * Each test's and hook's function runs in an AsyncLocalStorage holding its entry; while more than
 * one runs, an async_hooks `before` hook sees each callback about to run (a promise continuation,
 * a timer) and arms the deadline of the entry it belongs to when that is not the armed one.
 * Callbacks of none (Vitest's own) keep the armed one. An entry whose deadline has passed while
 * it waited gets OVERDUE_MS when its code runs again. One that ends never disarms another's: the
 * one left, if one is, is armed.
 */
const running = new Set<Running>();
const owner = new AsyncLocalStorage<Running>();
let armed: Running | undefined;
/** What an entry gets when its code runs again after its deadline passed while it waited. */
const OVERDUE_MS = 100;

function arm(entry: Running | undefined): void {
  armed = entry;
  if (entry === undefined) return disarmDeadline();
  const left = entry.at - Date.now();
  // Vitest maps stacks itself, through the maps of Vite's whole pipeline (the runtime knows only its own).
  armDeadline(left > 0 ? left : OVERDUE_MS, { message: entry.message, stack: 'engine' });
}

const switcher = createHook({
  before() {
    const entry = owner.getStore();
    if (entry !== undefined && entry !== armed && running.has(entry)) arm(entry);
  },
});
let switching = false;

/** The hook is on only while entries interleave. */
function interleaving(on: boolean): void {
  if (on === switching) return;
  switching = on;
  if (on) switcher.enable();
  else switcher.disable();
}

/**
 * Runs `run` (sync or async) under a deadline of `ms` (none for 0 or Infinity, as Vitest reads
 * them). Only code that may interleave with other entries (`shared`: a concurrent test, parallel
 * hooks) runs in the AsyncLocalStorage: on Node 20 a store once entered keeps async_hooks' promise
 * tracking on for the whole process, which made every promise of a plain sequential suite slower
 * (ufo's suite: about 40 ms more CPU per test file).
 */
function withDeadline<T>(ms: number, hook: boolean, shared: boolean, run: () => T): T {
  if (!(ms > 0 && ms < Infinity)) return run();
  const entry: Running = { at: Date.now() + ms, message: timeoutMessage(ms, hook) };
  running.add(entry);
  interleaving(running.size > 1);
  arm(entry);
  const end = () => {
    running.delete(entry);
    if (running.size === 1) arm(running.values().next().value);
    else if (armed === entry) arm(undefined);
    interleaving(running.size > 1);
  };
  let result: T;
  try {
    result = shared ? owner.run(entry, run) : run();
  } catch (error) {
    end();
    throw error;
  }
  if (typeof (result as { then?: unknown } | undefined)?.then !== 'function') {
    end();
    return result;
  }
  return settled(result as unknown as Promise<unknown>, end) as T;
}

const wrapped = new WeakSet<Hook>();

function hookWithDeadline(hook: Hook, ms: number, parallel: boolean): Hook {
  if (wrapped.has(hook)) return hook;
  const withIt: Hook = function (this: unknown, ...args: unknown[]) {
    return withDeadline(ms, true, parallel, () => hook.apply(this, args));
  };
  // Vitest reads the timeout and the stack it keeps on the hook (for a cleanup the hook returns).
  for (const key of Object.getOwnPropertySymbols(hook)) (withIt as unknown as Record<symbol, unknown>)[key] = (hook as unknown as Record<symbol, unknown>)[key];
  wrapped.add(withIt);
  return withIt;
}

/** Whether a test in `suite` (or in a suite inside it) is concurrent. */
function hasConcurrent(suite: Suite): boolean {
  return suite.tasks.some((task) => task.concurrent === true || (task.type === 'suite' && hasConcurrent(task)));
}

/** `Base` (Vitest's TestRunner or the project's runner) with the deadlines; `vitestRunner`: Vitest's TestRunner, for its helpers. */
export async function withDeadlines(Base: RunnerClass, vitestRunner: unknown, settings: VitestSettings): Promise<RunnerClass> {
  // Node's import (this module is not Vite's): the plugin's URL, else the package by name (a plugin of another version).
  const deadline = (await import(settings.deadline ?? '@trapdoor-js/runtime/deadline')) as typeof Deadline;
  armDeadline = deadline.armDeadline;
  disarmDeadline = deadline.disarmDeadline;
  const statics = vitestRunner as RunnerStatics;
  return class TrapdoorRunner extends Base {
    override async runTask(test: Test): Promise<void> {
      const run = (): Promise<void> | void => {
        if (super.runTask !== undefined) return super.runTask(test);
        const fn = statics.getTestFn(test);
        if (fn === undefined) throw new Error('Test function is not found. Did you add it using `setFn`?');
        return fn() as Promise<void>;
      };
      await withDeadline(settings.timeout ?? test.timeout, false, test.concurrent === true, run);
    }

    override async onBeforeRunSuite(suite: Suite): Promise<void> {
      await super.onBeforeRunSuite?.(suite);
      const hooks = statics.getSuiteHooks(suite);
      // Hooks run side by side under `sequence.hooks: 'parallel'` (Vitest's default is 'stack').
      // The hooks of concurrent tests run runs beside the other tests' code too.
      const parallel = (this.config as { sequence?: { hooks?: string } }).sequence?.hooks === 'parallel' || hasConcurrent(suite);
      for (const name of HOOKS) {
        const list = hooks[name];
        if (list === undefined) continue;
        // In place: Vitest reads these lists when it runs the hooks.
        for (let i = 0; i < list.length; i++) {
          const own = (list[i] as unknown as Record<symbol, unknown>)[HOOK_TIMEOUT];
          list[i] = hookWithDeadline(list[i]!, typeof own === 'number' ? own : this.config.hookTimeout, parallel);
        }
      }
    }
  };
}
