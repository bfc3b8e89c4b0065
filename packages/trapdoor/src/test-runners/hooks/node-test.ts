/**
 * The per-test deadline for `node --test` (Node 20): `trapdoor test` loads this with `--import`
 * (NODE_OPTIONS, after trapdoor-js/register), so every test file's process has it: Node runs each
 * file in a child process that inherits the environment. By hand:
 * `NODE_OPTIONS="--import trapdoor-js/register --import trapdoor-js/node-test" node --test`.
 *
 * node:test has no public hook around a test, and its TestContext keeps the test private. But
 * each test is an AsyncResource of type 'Test' (node:test's `Test extends AsyncResource`): an
 * async_hooks `init` hook sees the first one, takes `Test.prototype` from it and is disabled
 * again (it costs every promise something while enabled). `Test.prototype.run` is then wrapped
 * to arm a deadline while a test (or a hook: node:test's hooks are Tests too) runs, with the
 * test's own `timeout` as node:test resolved it (its option, else its parent's), else Node's
 * `--test-timeout` (which this then gives the test, so node:test's own timer fails it if it waits);
 * `trapdoor test --timeout` overrides both. node:test's default is no timeout:
 * then no deadline is armed. The error's first line is node:test's own:
 * `test timed out after <ms>ms`.
 *
 * Nested tests (`t.test()`) and hooks run inside their parent's run: the innermost one that is
 * running decides the deadline, and the parent's comes back when it ends. Concurrent subtests
 * (`{ concurrency }`) each have their own, armed while their code runs (Deadlines below).
 */
import { AsyncLocalStorage, AsyncResource, createHook, executionAsyncResource } from 'node:async_hooks';
import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';
import { settled } from '../settled.js';

interface NodeTest {
  timeout: number | null;
  parent: NodeTest | null;
  hookType?: string;
  /** How many subtests run at once: 1, a number, or Infinity for `concurrency: true`. */
  concurrency?: number;
  run(...args: unknown[]): Promise<unknown>;
}

/** node:test's own timer fails a test that waits; the deadline comes a little later, for one that is still busy. */
const AFTER_NODE_MS = 100;
const WRAPPED = Symbol.for('trapdoor.node-test.wrapped');

function timeoutFlag(args: readonly string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg.startsWith('--test-timeout=') ? arg.slice('--test-timeout='.length) : arg === '--test-timeout' ? args[i + 1] : undefined;
    if (value !== undefined) {
      const ms = Number(value);
      if (Number.isFinite(ms) && ms > 0) return ms;
    }
  }
  return undefined;
}

function envMs(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

interface Running {
  /** `Date.now()` time of the test's timeout (the deadline is AFTER_NODE_MS later); Infinity for none. */
  at: number;
  timeout: number;
  /** Its run has ended: its late callbacks run under the deadline of what runs around them. */
  ended?: boolean;
}

/**
 * Where an AsyncResource keeps its context when AsyncLocalStorage runs on AsyncContextFrame (Node 24's
 * default); null where it does not (Node 20, Node 22 without --experimental-async-context-frame).
 * Found at the first concurrent test, not in every test file's start-up.
 */
let contextFrame: symbol | null | undefined;
function contextFrameKey(): symbol | null {
  if (contextFrame !== undefined) return contextFrame;
  // Made inside a store's run: an empty context is kept as undefined.
  const resource = new AsyncLocalStorage<true>().run(true, () => new AsyncResource('trapdoor-probe')) as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(resource).find((s) => s.description === 'context_frame');
  return (contextFrame = key !== undefined && resource[key] !== undefined ? key : null);
}

/**
 * The tests running, for the one deadline of the thread. Sequential tests nest: the innermost one
 * that is running decides (`nested`, a stack). Concurrent ones (a parent with `concurrency` above 1,
 * `{ concurrency: true }` on a test or describe, and everything under them: node:test gives children
 * their parent's concurrency) interleave on the thread, and a stack would let the last one started
 * decide for all. So, as for Vitest and Jest (../vitest-deadlines.ts, jest-concurrent.cts): the deadline
 * armed is that of the test whose code runs. Each concurrent test's code runs with an
 * AsyncLocalStorage holding its deadline; while any runs, an async_hooks `before` hook sees every
 * callback about to run and arms its test's deadline when another's is armed (a test without a
 * timeout of its own has its parent's, as node:test's timeout covers the subtests). Code of no
 * concurrent test (node:test's own, a sequential parent's) gets the innermost sequential one's.
 * A test busy within its own longer timeout therefore passes while a stuck sibling fails with its
 * own; one whose time passed while it waited for the thread gets AFTER_NODE_MS, in which node:test's
 * own timer fails it unless it ends first, as it would without trapdoor.
 */
class Deadlines {
  private readonly nested: Running[] = [];
  private readonly storage = new AsyncLocalStorage<Running>();
  /** The concurrent tests running, by their Test object (node:test's AsyncResource). */
  private readonly tests = new WeakMap<object, Running>();
  private armed: Running | undefined;
  private concurrent = 0;
  private readonly hook = createHook({
    before: () => {
      // node:test calls a test's function (and its hooks) in the test's own async scope, whose
      // context is where the test was declared: when that scope is entered, the test's deadline
      // goes into the storage (enterWith stores it on the Test resource, so what its code starts
      // carries it). No wrapper around the function: a stack keeps the frames of the plain run.
      const test = this.tests.get(executionAsyncResource());
      if (test !== undefined) this.storage.enterWith(test);
      this.arm(this.current());
    },
  });

  /** Whether a test whose parent is `parent` runs among concurrent siblings, or under one. */
  isConcurrent(parent: NodeTest | null): boolean {
    return this.storage.getStore() !== undefined || (parent !== null && typeof parent.concurrency === 'number' && parent.concurrency > 1);
  }

  /** The deadline that covers code running now without one of its own: its parent's. */
  inherited(): Running | undefined {
    return this.current();
  }

  /** A sequential test with a timeout starts: its deadline is armed until it ends. */
  nestedStarted(entry: Running): void {
    this.nested.push(entry);
    this.arm(entry);
  }

  nestedEnded(entry: Running): void {
    this.nested.splice(this.nested.lastIndexOf(entry), 1);
    this.arm(this.current());
  }

  concurrentStarted(test: NodeTest, entry: Running): void {
    this.tests.set(test, entry);
    // Node 24's AsyncLocalStorage (AsyncContextFrame): runInAsyncScope replaces the context with the
    // one the resource keeps after the `before` hooks, so the `enterWith` there is lost. The test's
    // own context gets the deadline instead: the one it keeps, with the storage set on top.
    const key = contextFrameKey();
    const frames = test as unknown as Record<symbol, unknown> & AsyncResource;
    if (key !== null && key in frames && typeof frames.runInAsyncScope === 'function') {
      frames[key] = frames.runInAsyncScope(() => this.storage.run(entry, () => (new AsyncResource('trapdoor-deadline') as unknown as Record<symbol, unknown>)[key]));
    }
    if (this.concurrent++ === 0) this.hook.enable();
    this.arm(entry);
  }

  /** Called in the context of the code around the test (its parent's). */
  concurrentEnded(test: NodeTest, entry: Running, own: boolean): void {
    this.tests.delete(test);
    if (own) entry.ended = true;
    if (--this.concurrent === 0) this.hook.disable();
    this.arm(this.current());
  }

  private current(): Running | undefined {
    const store = this.storage.getStore();
    return store !== undefined && store.ended !== true ? store : this.nested[this.nested.length - 1];
  }

  private arm(entry: Running | undefined): void {
    if (entry === this.armed) return;
    this.armed = entry;
    if (entry === undefined || entry.at === Infinity) return disarmDeadline();
    const left = entry.at + AFTER_NODE_MS - Date.now();
    armDeadline(left > 0 ? left : AFTER_NODE_MS, { message: `test timed out after ${entry.timeout}ms` });
  }
}

function wrap(proto: NodeTest & { [WRAPPED]?: true }): void {
  if (proto[WRAPPED]) return;
  Object.defineProperty(proto, WRAPPED, { value: true });
  const override = envMs('TRAPDOOR_TEST_TIMEOUT');
  // Node 20 applies --test-timeout to each file as a whole; trapdoor test takes it off the command
  // line and hands it over, to apply to each test (../node-test.ts). Given by hand, it is seen here too.
  const fallback = envMs('TRAPDOOR_NODE_TEST_TIMEOUT') ?? timeoutFlag(process.execArgv) ?? timeoutFlag((process.env.NODE_OPTIONS ?? '').split(/\s+/));
  const deadlines = new Deadlines();
  const original = proto.run;
  proto.run = function trapdoorRun(this: NodeTest, ...args: unknown[]): Promise<unknown> {
    const isRoot = this.hookType === undefined && this.parent === null;
    if (isRoot) return original.apply(this, args);
    // A test without a timeout of its own gets --test-timeout, for node:test's own timer too.
    // (node:test's "no timeout" is null in Node 20.20, Infinity in other versions.)
    const own = this.timeout === null || this.timeout === Infinity ? undefined : this.timeout;
    if (this.hookType === undefined && own === undefined && fallback !== undefined) this.timeout = fallback;
    const timeout = override ?? own ?? (this.hookType === undefined ? fallback : undefined);
    const hasOwn = timeout !== undefined && timeout > 0 && timeout !== Infinity;
    const concurrent = deadlines.isConcurrent(this.parent);
    if (!concurrent && !hasOwn) return original.apply(this, args);
    const entry: Running = hasOwn ? { at: Date.now() + timeout, timeout } : (deadlines.inherited() ?? { at: Infinity, timeout: 0 });
    if (concurrent) deadlines.concurrentStarted(this, entry);
    else deadlines.nestedStarted(entry);
    const end = concurrent ? () => deadlines.concurrentEnded(this, entry, hasOwn) : () => deadlines.nestedEnded(entry);
    // original.apply called here, not in a helper: a stack thrown from the test's first
    // synchronous part has one frame of trapdoor's (this one) above node:test's.
    let promise: Promise<unknown>;
    try {
      promise = original.apply(this, args);
    } catch (error) {
      end();
      throw error;
    }
    return settled(promise, end);
  };
}

/** The process that runs the files (`node --test` itself) runs no test code; its children do. */
const orchestrator = process.execArgv.includes('--test') && process.env.NODE_TEST_CONTEXT === undefined;

if (!orchestrator) {
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type !== 'Test') return;
      let proto = Object.getPrototypeOf(resource) as (NodeTest & { constructor?: { name?: string } }) | null;
      while (proto !== null && proto.constructor?.name !== 'Test') proto = Object.getPrototypeOf(proto) as typeof proto;
      if (proto === null || typeof proto.run !== 'function') return;
      hook.disable();
      wrap(proto);
    },
  });
  hook.enable();
}
