/**
 * Deadlines for Jest's `test.concurrent` tests (jest-runner.cts). The runtime has one deadline
 * per thread, and concurrent tests interleave on that thread: arming at each test's start let the
 * last test started decide for all of them.
 *
 * The rule: the deadline armed is that of the test whose code runs. On one thread only one test's
 * code runs at a time, and a synchronous loop belongs to the test that entered it, so that test's
 * deadline is the one to enforce; a test that merely waits meanwhile is left to jest-circus's own
 * timer, which fires once the thread is free again. (Arming the earliest deadline instead would stop
 * a test that is busy within its own timeout because another test's shorter timeout passed.)
 *
 * How: each concurrent test's function runs inside an AsyncLocalStorage holding the test, and arms
 * the test's deadline as it starts; while concurrent tests run, an async_hooks `before` hook sees
 * every callback about to run (a promise continuation, a timer) and, when it belongs to another
 * test than the one armed, arms that test's deadline. Callbacks of no test (Jest's own) keep the
 * armed one. The hook is on only between Jest's concurrent_tests_start and concurrent_tests_end,
 * and arming costs a few atomic writes, done only when the owner changes.
 *
 * A test whose deadline has already passed when its code runs again (it waited while another test
 * was busy) gets `minimumMs` more, as any test gets after its timeout: jest-circus's overdue timer
 * fails it at the next turn of the event loop unless it finishes first, as it would without trapdoor.
 */
import asyncHooks = require('node:async_hooks');

interface ConcurrentTest {
  fn?: (...args: unknown[]) => unknown;
}

interface Running {
  /** `Date.now()` time of the deadline. */
  at: number;
  message: string;
}

/** The thread's one deadline (the runtime's armDeadline and disarmDeadline). */
interface Arming {
  arm(ms: number, message: string): void;
  disarm(): void;
}

class ConcurrentDeadlines<Test extends ConcurrentTest> {
  private readonly storage = new asyncHooks.AsyncLocalStorage<Test>();
  private readonly running = new Map<Test, Running>();
  private readonly wrapped = new WeakSet<object>();
  private armed: Test | undefined;
  private blocks = 0;
  private readonly hook: asyncHooks.AsyncHook;

  constructor(
    private readonly arming: Arming,
    private readonly minimumMs: number,
  ) {
    this.hook = asyncHooks.createHook({
      before: () => {
        const test = this.storage.getStore();
        if (test !== undefined && test !== this.armed) this.enter(test);
      },
    });
  }

  /** concurrent_tests_start / concurrent_tests_end (describe blocks can nest them: counted). */
  blockStarted(): void {
    if (this.blocks++ === 0) this.hook.enable();
  }

  blockEnded(): void {
    if (this.blocks > 0 && --this.blocks === 0) this.hook.disable();
  }

  /**
   * test_fn_start of a concurrent test: its deadline `ms` from now, and its function wrapped so
   * that its code runs as the test's (jest-circus calls `test.fn` after this event). Generator
   * functions are left as they are (jest-circus tells them apart by their kind; a wrapper would
   * hide it): they keep the deadline armed last.
   */
  started(test: Test, ms: number, message: string): void {
    this.running.set(test, { at: Date.now() + ms, message });
    const fn = test.fn;
    if (fn === undefined || this.wrapped.has(fn) || Object.prototype.toString.call(fn) === '[object GeneratorFunction]') return;
    const self = this;
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      self.enter(test);
      return self.storage.run(test, () => fn.apply(this, args));
    };
    // jest-circus tells a `done` callback by the function's length.
    Object.defineProperty(wrapper, 'length', { value: fn.length });
    Object.defineProperty(wrapper, 'name', { value: fn.name });
    this.wrapped.add(wrapper);
    test.fn = wrapper;
  }

  /** Whether `test` is one of the concurrent tests running. */
  has(test: Test): boolean {
    return this.running.has(test);
  }

  /** test_fn_success / test_fn_failure / test_done: the test's code has ended. */
  ended(test: Test): void {
    if (!this.running.delete(test)) return;
    if (this.armed === test) {
      this.armed = undefined;
      this.arming.disarm();
    }
  }

  private enter(test: Test): void {
    const running = this.running.get(test);
    if (running === undefined) return; // ended: its late callbacks run under no deadline of theirs
    this.armed = test;
    const left = running.at - Date.now();
    this.arming.arm(left > 0 ? left : this.minimumMs, running.message);
  }
}

export = ConcurrentDeadlines;
