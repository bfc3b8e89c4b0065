/**
 * The `runtime` (Jest's module runtime class, jest-runtime unless the project names its own) that
 * `trapdoor test` sets in each project config (jest-config.ts), and that the config form names as
 * `runtime: 'trapdoor-js/jest/runtime'` (package export `./jest/runtime`): the project's own,
 * constructed as it is, after the worker process's trapdoor runtime has been put on the test
 * environment's global (where instrumented code takes it from, jest-runtime.cts and
 * jest-runtime-esm.mts).
 *
 * jest-runner constructs it for each test file right after the environment (a `@jest-environment`
 * docblock's too) and before the file's setupFiles run; trapdoor's test runner (jest-runner.cts),
 * which published the runtime until now, is called only after them. Code of a setup file bound the
 * sandbox's own copy then, for good in CommonJS (its bindings are read once), so a function the
 * setup file defined and a test called spun forever: no deadline reaches that copy.
 *
 * Loaded by jest-runner with a plain `require` (no transform), once per worker.
 */
const ORIGINAL_RUNTIME_KEY = 'trapdoorRuntime';
const RUNTIME_KEY = Symbol.for('trapdoor.jest.runtime');

/** The file that required this one: jest-runner's (a CommonJS module's first parent). */
const loadedBy = (module as { parent?: { filename?: string } | null }).parent?.filename;

type RuntimeClass = new (config: Record<string, unknown>, environment: { global?: Record<symbol, unknown> }, ...rest: unknown[]) => object;

function interop(loaded: unknown): RuntimeClass {
  const module = loaded as { __esModule?: boolean; default?: RuntimeClass };
  return (module && module.__esModule) || (typeof loaded !== 'function' && module?.default !== undefined) ? module.default! : (loaded as RuntimeClass);
}

/** Returns the project's runtime object (a constructor's returned object is what `new` gives). */
function TrapdoorJestRuntime(config: Record<string, unknown>, environment: { global?: Record<symbol, unknown> }, ...rest: unknown[]): object {
  // None named: the jest-runtime the jest-runner that loaded this file would have required.
  const original =
    typeof config[ORIGINAL_RUNTIME_KEY] === 'string'
      ? (config[ORIGINAL_RUNTIME_KEY] as string)
      : require.resolve('jest-runtime', { paths: [...(loadedBy === undefined ? [] : [loadedBy]), typeof config.rootDir === 'string' ? config.rootDir : process.cwd()] });
  const Runtime = interop(require(original));
  if (environment?.global !== undefined && environment.global[RUNTIME_KEY] === undefined) environment.global[RUNTIME_KEY] = require('@trapdoor-js/runtime');
  return new Runtime(config, environment, ...rest);
}

module.exports = TrapdoorJestRuntime;
