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
const shared = (globalThis as Record<symbol, unknown>)[Symbol.for('trapdoor.jest.runtime')];
module.exports = shared ?? require('@trapdoor-js/runtime');
