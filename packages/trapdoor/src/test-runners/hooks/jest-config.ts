/**
 * How `trapdoor test -- jest …` changes the configuration Jest has read (jest-preload.cts calls
 * this on every project config `readConfigs` returns), so that nothing of the project's own is
 * edited or lost: every project (`projects` included) keeps its transformers, environment,
 * moduleNameMapper and the rest.
 *
 * - `transform`: each entry's transformer is wrapped by jest-transformer.cts, which runs it and
 *   instruments its output (the entry's pattern stays; the original transformer and its options
 *   become the wrapper's options). The normalized config always lists them (babel-jest when the
 *   project names none). A last entry catches the JavaScript and TypeScript files no pattern of the
 *   project's matches (a project that transforms only `.ts`, whose `.js` Jest loads as they are):
 *   the wrapper instruments them as Jest would have loaded them (`transformer: null`).
 * - `testRunner`: wrapped by jest-runner.cts, which arms a deadline per test and hook from the
 *   testEnvironment's events, then runs the project's runner (jest-circus unless it names another).
 * - `moduleNameMapper`: `@trapdoor-js/runtime` goes to the bridge (RUNTIME_MAPPING), the project's
 *   own mappings after it.
 * - `runtime` (Jest's module runtime class): wrapped by jest-runtime-class.cts, which puts the
 *   worker's runtime on the test environment's global before the file's setupFiles run.
 */
import { fileURLToPath } from 'node:url';

/** Where the wrapper remembers the project's own test runner (a key of the project config, which Jest sends to its workers). */
export const ORIGINAL_RUNNER_KEY = 'trapdoorTestRunner';
/** Where the runtime class (jest-runtime-class.cts) remembers the project's own `runtime` (undefined: jest-runtime). */
export const ORIGINAL_RUNTIME_KEY = 'trapdoorRuntime';

export type TransformEntry = [pattern: string, transformer: string, options: unknown];

/** The options of an entry jest-transformer.cts wraps. */
export interface WrappedTransformer {
  /** The project's transformer: a resolved path, as normalized configs hold it; null for files the project transforms with none. */
  transformer: string | null;
  /** Its options from the project's config. */
  options: unknown;
}

export interface JestProjectConfig {
  transform: TransformEntry[];
  testRunner: string;
  runtime?: string;
  [key: string]: unknown;
}

/** What the last entry catches: what Jest would load untransformed (its default moduleFileExtensions' code files). */
export const UNTRANSFORMED_PATTERN = '\\.(?:[cm]?[jt]s|[jt]sx)$';

export const TRANSFORMER_PATH = fileURLToPath(new URL('./jest-transformer.cjs', import.meta.url));
export const RUNNER_PATH = fileURLToPath(new URL('./jest-runner.cjs', import.meta.url));
/** Jest's module runtime class around the project's, which publishes the worker's runtime before setupFiles run (jest-runtime-class.cts). */
export const RUNTIME_CLASS_PATH = fileURLToPath(new URL('./jest-runtime-class.cjs', import.meta.url));
/** What code instrumented by trapdoor takes the runtime from inside Jest's sandbox (jest-runtime.cts). */
export const BRIDGE_PATH = fileURLToPath(new URL('./jest-runtime.cjs', import.meta.url));
/**
 * `@trapdoor-js/runtime` required by the project's own code: code the project's Babel config
 * already instrumented (`plugins: ['trapdoor-js/babel']`), which trapdoor's transformer leaves as
 * it is. It is sent to the bridge too, so that it binds the worker's runtime, whose deadline
 * trapdoor arms, and not a copy of its own in the test file's sandbox (there its test spun forever).
 */
export const RUNTIME_MAPPING: [string, string] = ['^@trapdoor-js/runtime$', BRIDGE_PATH];

/** The project config with trapdoor's transformer and runner around the project's own. Idempotent. */
export function withTrapdoor<T extends JestProjectConfig>(config: T): T {
  const transform = config.transform.map(([pattern, transformer, options]): TransformEntry =>
    transformer === TRANSFORMER_PATH ? [pattern, transformer, options] : [pattern, TRANSFORMER_PATH, { transformer, options } satisfies WrappedTransformer],
  );
  if (!transform.some(([pattern]) => pattern === UNTRANSFORMED_PATTERN)) transform.push([UNTRANSFORMED_PATTERN, TRANSFORMER_PATH, { transformer: null, options: {} } satisfies WrappedTransformer]);
  const original = config.testRunner === RUNNER_PATH ? config[ORIGINAL_RUNNER_KEY] : config.testRunner;
  // First, so that no mapping of the project's (a catch-all such as `^(.*)$`) takes it before.
  const mapper = Array.isArray(config.moduleNameMapper) ? (config.moduleNameMapper as Array<[string, string]>) : [];
  const moduleNameMapper = [RUNTIME_MAPPING, ...mapper.filter(([pattern]) => pattern !== RUNTIME_MAPPING[0])];
  const runtime = config.runtime === RUNTIME_CLASS_PATH ? config[ORIGINAL_RUNTIME_KEY] : config.runtime;
  return { ...config, transform, testRunner: RUNNER_PATH, moduleNameMapper, [ORIGINAL_RUNNER_KEY]: original, runtime: RUNTIME_CLASS_PATH, [ORIGINAL_RUNTIME_KEY]: runtime };
}
