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
 * running decides the deadline, and the parent's comes back when it ends.
 */
import { createHook } from 'node:async_hooks';
import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';

interface NodeTest {
  timeout: number | null;
  parent: NodeTest | null;
  hookType?: string;
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
  at: number;
  timeout: number;
}

function wrap(proto: NodeTest & { [WRAPPED]?: true }): void {
  if (proto[WRAPPED]) return;
  Object.defineProperty(proto, WRAPPED, { value: true });
  const override = envMs('TRAPDOOR_TEST_TIMEOUT');
  // Node 20 applies --test-timeout to each file as a whole; trapdoor test takes it off the command
  // line and hands it over, to apply to each test (../node-test.ts). Given by hand, it is seen here too.
  const fallback = envMs('TRAPDOOR_NODE_TEST_TIMEOUT') ?? timeoutFlag(process.execArgv) ?? timeoutFlag((process.env.NODE_OPTIONS ?? '').split(/\s+/));
  const running: Running[] = [];
  const update = () => {
    const innermost = running[running.length - 1];
    if (innermost === undefined) return disarmDeadline();
    armDeadline(Math.max(1, innermost.at + AFTER_NODE_MS - Date.now()), { message: `test timed out after ${innermost.timeout}ms` });
  };
  const original = proto.run;
  proto.run = async function trapdoorRun(this: NodeTest, ...args: unknown[]): Promise<unknown> {
    const isRoot = this.hookType === undefined && this.parent === null;
    // A test without a timeout of its own gets --test-timeout, for node:test's own timer too.
    // (node:test's "no timeout" is null in Node 20.20, Infinity in other versions.)
    const own = this.timeout === null || this.timeout === Infinity ? undefined : this.timeout;
    if (!isRoot && this.hookType === undefined && own === undefined && fallback !== undefined) this.timeout = fallback;
    const timeout = isRoot ? undefined : (override ?? own ?? (this.hookType === undefined ? fallback : undefined));
    if (timeout === undefined || !(timeout > 0) || timeout === Infinity) return original.apply(this, args);
    const entry: Running = { at: Date.now() + timeout, timeout };
    running.push(entry);
    update();
    try {
      return await original.apply(this, args);
    } finally {
      running.splice(running.lastIndexOf(entry), 1);
      update();
    }
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
