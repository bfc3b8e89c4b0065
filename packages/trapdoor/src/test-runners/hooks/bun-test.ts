/**
 * The per-test deadline for `bun test`: `trapdoor test` preloads this after trapdoor-js/register
 * (`bun test --preload trapdoor-js/register --preload trapdoor-js/bun-test`; a bunfig.toml
 * `[test] preload` list does the same by hand).
 *
 * bun:test tells a preload nothing about the test that is about to run (its global beforeEach
 * gets no argument), so the test functions themselves are wrapped: `test`, `it` and every variant
 * reached from them (`.only`, `.skip`, `.each(table)`, `.if(cond)`, `.concurrent`…) go through a
 * Proxy that arms a deadline when the function starts and disarms it when it ends (returns, throws,
 * settles its promise, or calls its `done`; with concurrent tests, the earliest deadline of those
 * still running stays armed); so do the functions given to beforeAll, beforeEach,
 * afterAll and afterEach. The wrapper keeps the function's `length`, which is
 * how bun:test tells a `done` callback apart. bun:test hands the same module object to every
 * test file, so wrapping it once here reaches them all.
 *
 * Bun prints the stack captured where an error is thrown (not `error.stack`, nor through
 * `Error.prepareStackTrace` or `Error.stackTraceLimit`), so a wrapper still running below the
 * test function would be its last frame. A test that starts while no other runs is therefore
 * called by a tail call, the wrapper's last act (JavaScriptCore implements proper tail calls in
 * strict code: the wrapper's frame is gone), and Bun prints what it prints for a plain slow test.
 * Its deadline ends when its afterEach hooks start, or at the global afterEach this preload
 * registers, which Bun runs after the test has settled, called its `done`, or timed out. Tests
 * that run beside others (`test.concurrent`, `--concurrent`) keep the wrapper, which sees their
 * end itself; so do hooks.
 *
 * The timeout is bun:test's: the test's own (`test(name, fn, ms)` or `{ timeout }`), else
 * `setDefaultTimeout(ms)`, else `bun test --timeout` (passed by trapdoor test, which reads it from
 * the command line; Bun does not show it to the process), else 5000 ms; `trapdoor test --timeout`
 * overrides them. A bunfig.toml `[test] timeout` is not among them because Bun itself ignores it
 * (Bun 1.4 reads `[test] preload` but not `timeout`: oven-sh/bun#7789), and the deadline follows
 * what bun does (test/e2e-test-node.test.ts pins it against a plain run). The message is bun's own wording, `this test timed out after <ms>ms.` (for a
 * hook: `a beforeEach/afterEach hook timed out for this test.`, as bun says it for every hook).
 */
import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';
import { settled } from '../settled.js';

type Fn = (...args: unknown[]) => unknown;

/** bun test's default per-test timeout. */
const BUN_DEFAULT_MS = 5000;
/** bun's own timer fails a test that waits; the deadline comes a little later, for one that is still busy. */
const AFTER_BUN_MS = 100;

function envMs(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

const override = envMs('TRAPDOOR_TEST_TIMEOUT');
let defaultTimeout = envMs('TRAPDOOR_BUN_TIMEOUT') ?? BUN_DEFAULT_MS;

function timeoutOf(option: unknown): number | undefined {
  if (typeof option === 'number') return option;
  if (option !== null && typeof option === 'object' && typeof (option as { timeout?: unknown }).timeout === 'number') return (option as { timeout: number }).timeout;
  return undefined;
}

/** bun's own words for a test, and for a hook, that ran past its timeout. */
const testMessage = (timeout: number) => `this test timed out after ${timeout}ms.`;
const hookMessage = () => 'a beforeEach/afterEach hook timed out for this test.';

interface Running {
  at: number;
  message: string;
  /** A test's (not a hook's). */
  test?: boolean;
}

/**
 * The tests and hooks running on this thread: more than one with `test.concurrent` (or
 * `--concurrent`). The thread has one deadline, so it is the earliest of theirs, and one that ends
 * re-arms the next earliest instead of disarming the others'. (Node's runners arm the deadline of
 * the test whose code runs, told by an async_hooks `before` hook; Bun has no such hook.)
 */
const running = new Set<Running>();

function armEarliest(): void {
  let earliest: Running | undefined;
  for (const entry of running) if (earliest === undefined || entry.at < earliest.at) earliest = entry;
  if (earliest === undefined) disarmDeadline();
  // At least 1 ms: 0 would mean none to armDeadline.
  else armDeadline(Math.max(1, earliest.at - Date.now()), { message: earliest.message });
}

/** The test called by a tail call (see above) whose end is still to come, if one is. */
let tailCalled: Running | undefined;
/** The other tests started whose global afterEach has not run yet (each gets one). */
let othersInFlight = 0;
/** Of those, the ones that ended (or had no deadline). */
let othersEnded = 0;
/** Whether afterEachTest is registered (the tail call needs it to see the test's end). */
let afterEachRegistered = false;

function endTailCalled(): void {
  const entry = tailCalled;
  tailCalled = undefined;
  if (entry !== undefined && running.delete(entry)) armEarliest();
}

/** After each test (its promise settled, its `done` called, or bun's timer failed it) and its own afterEach hooks. */
function afterEachTest(): void {
  if (othersEnded > 0) {
    othersEnded--;
    othersInFlight--;
    return;
  }
  // A wrapped test whose promise never settled: bun's timer failed it (its deadline is AFTER_BUN_MS later).
  const now = Date.now();
  for (const entry of running) {
    if (entry !== tailCalled && entry.test === true && entry.at - AFTER_BUN_MS <= now) {
      running.delete(entry);
      othersInFlight--;
      return armEarliest();
    }
  }
  endTailCalled();
}

/** The test (or hook) function, arming the deadline while it runs. */
function armed(fn: Fn, own: number | undefined, message: (timeout: number) => string = testMessage, kind: 'test' | 'afterEach' | 'hook' = 'test'): Fn {
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    // A test's afterEach hooks start once it ended: when it is the only test in flight, it is its own.
    if (kind === 'afterEach' && tailCalled !== undefined && othersInFlight === 0) endTailCalled();
    const timeout = override ?? own ?? defaultTimeout;
    if (!(timeout > 0) || timeout === Infinity) {
      if (kind === 'test') {
        othersInFlight++;
        othersEnded++;
      }
      return fn.apply(this, args);
    }
    const entry: Running = { at: Date.now() + timeout + AFTER_BUN_MS, message: message(timeout), test: kind === 'test' };
    if (kind === 'test' && running.size === 0 && othersInFlight === 0 && afterEachRegistered) {
      running.add(entry);
      tailCalled = entry;
      armEarliest();
      // The tail call: nothing may follow it in this function.
      return fn.apply(this, args);
    }
    if (kind === 'test') othersInFlight++;
    running.add(entry);
    armEarliest();
    /** This test's deadline goes (the others' stay). */
    const end = () => {
      if (!running.delete(entry)) return;
      if (kind === 'test') othersEnded++;
      armEarliest();
    };
    // A `done` callback (bun:test passes it last): the test ends when it is called.
    const last = args.length - 1;
    const takesDone = fn.length > 0 && typeof args[last] === 'function';
    if (takesDone) {
      const done = args[last] as Fn;
      args[last] = function (this: unknown, ...result: unknown[]) {
        end();
        return done.apply(this, result);
      };
    }
    let result: unknown;
    let returned = false;
    // finally, not catch and throw again: Bun would show the error where it was thrown again.
    try {
      result = fn.apply(this, args);
      returned = true;
    } finally {
      if (!returned) end();
    }
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      return settled(result as PromiseLike<unknown>, end);
    }
    if (!takesDone) end();
    return result;
  };
  Object.defineProperty(wrapper, 'length', { value: fn.length });
  Object.defineProperty(wrapper, 'name', { value: fn.name });
  return wrapper;
}

const proxies = new WeakMap<Fn, Fn>();
/** Each proxy's target: bun:test's functions check their `this` (`test.each` must be called on bun's `test`). */
const targets = new WeakMap<object, Fn>();

/** `test` and what hangs off it: calls with a function get it armed, functions they return or hold are wrapped alike. */
function registrar(target: Fn): Fn {
  let proxy = proxies.get(target);
  if (proxy !== undefined) return proxy;
  proxy = new Proxy(target, {
    apply(fn, self, args: unknown[]) {
      const at = args.findIndex((a) => typeof a === 'function');
      if (at >= 0) args[at] = armed(args[at] as Fn, timeoutOf(args[at + 1]));
      const result = Reflect.apply(fn, (self !== null && typeof self === 'object') || typeof self === 'function' ? (targets.get(self as object) ?? self) : self, args) as unknown;
      return typeof result === 'function' ? registrar(result as Fn) : result;
    },
    get(fn, key) {
      const value = Reflect.get(fn, key, fn) as unknown;
      return typeof value === 'function' && key !== 'prototype' && key !== 'constructor' && key !== 'bind' && key !== 'call' && key !== 'apply' && key !== 'toString' ? registrar(value as Fn) : value;
    },
  });
  proxies.set(target, proxy);
  targets.set(proxy, target);
  return proxy;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- bun:test is only there under `bun test`
const bunTest = (globalThis as { Bun?: unknown }).Bun !== undefined ? (require('bun:test') as Record<string, unknown>) : undefined;
if (bunTest !== undefined) {
  for (const name of ['test', 'it']) {
    const value = bunTest[name];
    if (typeof value === 'function') bunTest[name] = registrar(value as Fn);
  }
  // Registered with bun's own afterEach (before it is wrapped below), in the preload: it runs after
  // every test of every file, after the file's own afterEach hooks.
  if (typeof bunTest.afterEach === 'function') {
    (bunTest.afterEach as Fn)(afterEachTest);
    afterEachRegistered = true;
  }
  // Hooks: `beforeAll(fn, timeout?)` and the like, with bun's words for a hook.
  for (const name of ['beforeAll', 'beforeEach', 'afterAll', 'afterEach']) {
    const hook = bunTest[name];
    if (typeof hook !== 'function') continue;
    bunTest[name] = function (this: unknown, fn: unknown, ...rest: unknown[]) {
      return (hook as Fn).call(this, typeof fn === 'function' ? armed(fn as Fn, timeoutOf(rest[0]), hookMessage, name === 'afterEach' ? 'afterEach' : 'hook') : fn, ...rest);
    };
  }
  const setDefault = bunTest.setDefaultTimeout;
  if (typeof setDefault === 'function') {
    bunTest.setDefaultTimeout = function setDefaultTimeout(this: unknown, ms: unknown) {
      if (typeof ms === 'number') defaultTimeout = ms;
      return (setDefault as Fn).call(this, ms);
    };
  }
}
