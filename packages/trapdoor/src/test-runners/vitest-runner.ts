/**
 * The Vitest runner trapdoor's plugin sets as `test.runner` (it runs in each test worker, process
 * or thread): Vitest's own runner, or the project's, with a deadline armed around each test
 * function.
 *
 * Why a runner and `runTask`: it is the one documented hook that runs exactly the test function —
 * after the `beforeEach` hooks, before `onAfterTryTask` and the `afterEach`/`onTestFinished`
 * hooks, once per retry and repeat — so the deadline never covers a hook, which has its own
 * `hookTimeout`, and nothing is thrown at after the test ended. `onBeforeTryTask` runs before the
 * `beforeEach` hooks; a `beforeEach` in a setup file would need `setFn` from @vitest/runner, which
 * a project need not be able to import (and Vitest 4.1's `TestRunner.setTestFn` is `getFn`).
 *
 * The deadline is the test's own timeout as Vitest computed it when the test was collected
 * (`task.timeout`: the `test(name, fn, ms)` / `{ timeout }` argument, else `testTimeout`), or
 * the plugin's `timeout`; the message is Vitest's own wording for a timeout.
 */
import { inject, TestRunner } from 'vitest';
import type { Test } from '@vitest/runner';
import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';
import { SETTINGS_KEY, type VitestSettings } from './vitest-settings.js';

type RunnerClass = new (...args: any[]) => { runTask?(test: Test): Promise<void> };

const settings = ((inject as (key: string) => unknown)(SETTINGS_KEY) ?? {}) as VitestSettings;

/** `TestRunner.getTestFn` is @vitest/runner's getFn: the test function Vitest wrapped with its timer. */
const getTestFn = (TestRunner as unknown as { getTestFn: (test: Test) => (() => unknown) | undefined }).getTestFn;

/** Vitest's message for a test that took too long (@vitest/runner's makeTimeoutError). */
function timeoutMessage(ms: number): string {
  return `Test timed out in ${ms}ms.\nIf this is a long-running test, pass a timeout value as the last argument or configure it globally with "testTimeout".`;
}

/**
 * The tests running on this thread and their deadlines. One at a time, unless tests are
 * concurrent (`test.concurrent`, `sequence.concurrent`): the thread has one deadline, so it is the
 * earliest of theirs, and when a test ends the next earliest is armed — a test that ends never
 * disarms another's. (A thread stuck in one test runs no other, so the earliest deadline passing
 * means that test, or the stuck one, is past its time.)
 */
const running = new Map<Test, { at: number; ms: number }>();

function armEarliest(): void {
  let earliest: { at: number; ms: number } | undefined;
  for (const deadline of running.values()) if (earliest === undefined || deadline.at < earliest.at) earliest = deadline;
  if (earliest === undefined) disarmDeadline();
  // At least 1 ms: 0 would mean none to armDeadline.
  else armDeadline(Math.max(1, earliest.at - Date.now()), { message: timeoutMessage(earliest.ms) });
}

function withDeadlines(Base: RunnerClass): RunnerClass {
  return class TrapdoorRunner extends Base {
    override async runTask(test: Test): Promise<void> {
      const ms = settings.timeout ?? test.timeout;
      const run = (): Promise<void> | void => {
        if (super.runTask !== undefined) return super.runTask(test);
        const fn = getTestFn(test);
        if (fn === undefined) throw new Error('Test function is not found. Did you add it using `setFn`?');
        return fn() as Promise<void>;
      };
      // 0 and Infinity mean no timeout to Vitest: no deadline either.
      if (!(ms > 0 && ms < Infinity)) return run();
      running.set(test, { at: Date.now() + ms, ms });
      armEarliest();
      try {
        await run();
      } finally {
        running.delete(test);
        armEarliest();
      }
    }
  };
}

const base: RunnerClass =
  settings.baseRunner === undefined ? (TestRunner as unknown as RunnerClass) : ((await import(/* @vite-ignore */ settings.baseRunner)) as { default: RunnerClass }).default;

export default withDeadlines(base);
