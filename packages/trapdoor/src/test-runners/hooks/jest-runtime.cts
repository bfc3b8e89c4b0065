/**
 * What code instrumented by jest-transformer.cts takes the runtime from, inside Jest's module
 * sandbox: the runtime jest-runner.cts loaded in the worker process and put on the test
 * environment's global. One runtime per process (one control block, one deadline watcher, one
 * signal listener for `trapdoor attach`), however many test files the worker runs; Jest's own
 * `require` would load a fresh copy into every test file's sandbox.
 *
 * Without trapdoor's runner (the transformer configured alone), the sandbox's own copy is used:
 * instrumented code still runs, and can be attached to.
 */
type Bindings = Pick<typeof import('@trapdoor-js/runtime'), 'flags' | 'trap' | 'register'>;
const RUNTIME_KEY = Symbol.for('trapdoor.jest.runtime');
let own: Bindings | undefined;

/**
 * Asked at each use, not once: Jest keeps this module per test file, and code of the file's
 * setupFiles runs before trapdoor's runner has put the worker's runtime on the global (it gets
 * the sandbox's copy then), while the test's own modules, loaded later, must get the worker's
 * (else no deadline reaches them and a stuck test spins forever). Under `trapdoor test` the
 * bare name is mapped to this file (jest-config.ts), so the sandbox's copy is required by the
 * path jest.ts resolved, which no mapping matches.
 */
function current(): Bindings {
  return ((globalThis as Record<symbol, unknown>)[RUNTIME_KEY] as Bindings | undefined) ?? (own ??= require(process.env.TRAPDOOR_JEST_RUNTIME || '@trapdoor-js/runtime') as Bindings);
}

Object.defineProperties(module.exports, {
  flags: { enumerable: true, get: () => current().flags },
  trap: { enumerable: true, get: () => current().trap },
  register: { enumerable: true, get: () => current().register },
});
