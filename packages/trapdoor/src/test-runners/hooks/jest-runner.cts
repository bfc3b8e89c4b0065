/**
 * The test runner `trapdoor test` puts around the project's own (jest-config.ts; by hand:
 * `testRunner: 'trapdoor-js/jest/runner'`, which runs jest-circus). For each test file it
 *
 * - puts the worker process's runtime on the test environment's global, where instrumented code
 *   takes it from (jest-runtime.cts);
 * - arms a deadline on this thread when a test's function or a hook starts, with the timeout
 *   jest-circus gives it (`test(name, fn, ms)`, else `testTimeout` / `jest.setTimeout`, as
 *   jest-circus's own `test.timeout || state.testTimeout`; `trapdoor test --timeout` overrides
 *   them) and jest-circus's own timeout message, and disarms it when that function ends;
 *   `test.concurrent` tests, which interleave, each get their own (jest-concurrent.cts).
 *
 * The events come from jest-circus through the environment's `handleTestEvent`, which jest-circus
 * calls for every environment (a `@jest-environment` docblock's too) and awaits before it calls
 * the test's function. This wraps the method on the environment instance, so the project's
 * environment (its class, its options, its own handleTestEvent) stays what it is. A
 * setupFilesAfterEnv file could not see these events: it runs inside the sandbox, where
 * jest-circus's event handlers are not reachable.
 */
import type * as Deadline from '@trapdoor-js/runtime/deadline';
import type ConcurrentDeadlinesClass = require('./jest-concurrent.cjs');
import type V8Coverage = require('./jest-v8-coverage.cjs');

interface CircusTest {
  fn?: (...args: unknown[]) => unknown;
  timeout?: number;
  concurrent?: boolean;
}
interface CircusEvent {
  name: string;
  test?: CircusTest;
  hook?: CircusTest;
}
interface CircusState {
  testTimeout: number;
}
interface Environment {
  global: Record<symbol, unknown>;
  handleTestEvent?(event: CircusEvent, state: CircusState): unknown;
}
type TestFramework = (globalConfig: unknown, config: Record<string, unknown>, environment: Environment, ...rest: unknown[]) => Promise<unknown>;

/**
 * jest-config.ts's ORIGINAL_RUNNER_KEY, written out: Jest loads this file with the project's
 * transformers hooked into `require`, and a module of ours required from here at load time would
 * go through them (where trapdoor is linked rather than installed under node_modules). Everything
 * else is required when Jest calls the runner, after that hook is gone.
 */
const ORIGINAL_RUNNER_KEY = 'trapdoorTestRunner';
const RUNTIME_KEY = Symbol.for('trapdoor.jest.runtime');

/**
 * A test that waits (an await that never settles) is failed by jest-circus's own timer; the
 * deadline comes a little later, so that such a test is reported by Jest as usual and only one
 * still busy is stopped by trapdoor.
 */
const AFTER_JEST_MS = 100;

/** jest-circus's timeout message (`_makeTimeoutMessage` in jest-circus/build/utils, Jest 30). */
function timeoutMessage(timeout: number, isHook: boolean, takesDone: boolean): string {
  return `Exceeded timeout of ${timeout} ms for a ${isHook ? 'hook' : 'test'}${takesDone ? ' while waiting for `done()` to be called' : ''}.\nAdd a timeout value to this test to increase the timeout, if this is a long-running test. See https://jestjs.io/docs/api#testname-fn-timeout.`;
}

/** `trapdoor test --timeout <ms>`, passed by jest.ts. */
function overrideTimeout(): number | undefined {
  const value = process.env.TRAPDOOR_TEST_TIMEOUT;
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function interop<T>(loaded: unknown): T {
  const module = loaded as { __esModule?: boolean; default?: T };
  return (module && module.__esModule) || (typeof loaded !== 'function' && module?.default !== undefined) ? (module.default as T) : (loaded as T);
}

function installDeadlines(environment: Environment): void {
  const runtime = require('@trapdoor-js/runtime') as unknown;
  const { armDeadline, disarmDeadline } = require('@trapdoor-js/runtime/deadline') as typeof Deadline;
  const ConcurrentDeadlines = require('./jest-concurrent.cjs') as typeof ConcurrentDeadlinesClass;
  environment.global[RUNTIME_KEY] = runtime;
  const override = overrideTimeout();
  const timeoutOf = (fn: CircusTest, state: CircusState) => override ?? (fn.timeout || state.testTimeout);
  const arm = (fn: CircusTest, state: CircusState, isHook: boolean) => {
    const timeout = timeoutOf(fn, state);
    if (!(timeout > 0) || timeout === Infinity) return disarmDeadline();
    armDeadline(timeout + AFTER_JEST_MS, { message: timeoutMessage(timeout, isHook, (fn.fn?.length ?? 0) > 0) });
  };
  // test.concurrent tests: the deadline of the test whose code runs (jest-concurrent.cts).
  const concurrent = new ConcurrentDeadlines<CircusTest>({ arm: (ms, message) => armDeadline(ms, { message }), disarm: disarmDeadline }, AFTER_JEST_MS);
  const startConcurrent = (test: CircusTest, state: CircusState) => {
    const timeout = timeoutOf(test, state);
    const limited = timeout > 0 && timeout !== Infinity;
    concurrent.started(test, limited ? timeout + AFTER_JEST_MS : Infinity, timeoutMessage(timeout, false, (test.fn?.length ?? 0) > 0));
  };
  /** A test's (or hook's) function has ended: its deadline goes, and no other's. */
  const ended = (test: CircusTest | undefined) => {
    if (test !== undefined && concurrent.has(test)) concurrent.ended(test);
    else disarmDeadline();
  };
  const own = environment.handleTestEvent;
  environment.handleTestEvent = function handleTestEvent(event, state) {
    switch (event.name) {
      case 'concurrent_tests_start':
        concurrent.blockStarted();
        break;
      case 'concurrent_tests_end':
        concurrent.blockEnded();
        break;
      case 'test_fn_start':
        if (event.test?.concurrent === true) startConcurrent(event.test, state);
        else if (event.test) arm(event.test, state, false);
        break;
      case 'hook_start':
        if (event.hook) arm(event.hook, state, true);
        break;
      case 'test_fn_success':
      case 'test_fn_failure':
      case 'test_done':
        ended(event.test);
        break;
      case 'hook_success':
      case 'hook_failure':
      case 'run_finish':
        disarmDeadline();
        break;
    }
    return own?.call(this, event, state);
  };
}

interface JestRuntime {
  getAllV8CoverageInfoCopy?(): unknown[];
}

/**
 * Jest's v8 coverage (`coverageProvider: 'v8'`): jest-runner reads it from the test file's Runtime
 * (the framework's fourth argument) after the framework has run; it gets it without the ranges of
 * trapdoor's checks and bindings (jest-v8-coverage.cts).
 */
function filterV8Coverage(runtime: JestRuntime | undefined): void {
  const read = runtime?.getAllV8CoverageInfoCopy;
  if (typeof read !== 'function') return;
  const { withoutTrapdoorRanges } = require('./jest-v8-coverage.cjs') as typeof V8Coverage;
  runtime!.getAllV8CoverageInfoCopy = function getAllV8CoverageInfoCopy(this: unknown) {
    return withoutTrapdoorRanges(read.call(this) as Parameters<typeof withoutTrapdoorRanges>[0]);
  };
}

module.exports = async function trapdoorJestRunner(globalConfig: unknown, config: Record<string, unknown>, environment: Environment, ...rest: unknown[]): Promise<unknown> {
  installDeadlines(environment);
  if ((globalConfig as { collectCoverage?: boolean; coverageProvider?: string } | null)?.collectCoverage === true && (globalConfig as { coverageProvider?: string }).coverageProvider === 'v8') filterV8Coverage(rest[0] as JestRuntime | undefined);
  const original = typeof config[ORIGINAL_RUNNER_KEY] === 'string' ? (config[ORIGINAL_RUNNER_KEY] as string) : require.resolve('jest-circus/runner', { paths: [typeof config.rootDir === 'string' ? config.rootDir : process.cwd()] });
  let framework: unknown;
  try {
    framework = require(original);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw error;
    framework = await import(require('node:url').pathToFileURL(original).href);
  }
  return interop<TestFramework>(framework)(globalConfig, config, environment, ...rest);
};
