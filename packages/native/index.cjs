'use strict';
// @trapdoor-js/native: the JS side of the signal watcher. See README.md.
// This CommonJS file loads the addon and builds the API with core.cjs (the watcher's rules);
// index.js (ESM) re-exports it, so a process that loads both still has one set of watchers and
// one set of process listeners per thread.
// ASCII only: one character beyond it and V8 keeps the whole source as a two-byte string, 18 KiB
// more in the heap of every process that starts the watcher (src/native.test.ts checks).

// Deno without --allow-read loads only what index.js imports statically (this file); a require()
// of the rules then fails, and the package says the addon is unavailable (unavailable() below).
const UNAVAILABLE = 'ERR_TRAPDOOR_NATIVE_UNAVAILABLE';
let core;
let coreError;
try {
  core = require('./core.cjs');
} catch (cause) {
  coreError = unreadable(cause);
}

/**
 * The addon. First the one file binding.cjs's search would load first in the usual cases
 * (build/Release when it is there, else this platform's glibc prebuild, the one shipped), tried
 * alone; only when that fails the whole search (binding.cjs: node:path, the prebuilds/ listing,
 * each failure said). On Bun the search costs about 1 MiB more resident than the one require
 * (an idle process with the watcher started, measured like bench/startup.mjs's memory rows; on
 * Deno 2 MiB), and every instrumented process that starts the signal watcher pays it. A failed
 * require costs a Bun process about 0.5 MiB, so build/Release is looked for rather than tried
 * (on Bun with Bun.file, on Deno with Deno.statSync: node:fs would cost a Bun process 4 MiB more
 * and a Deno process 1.5 MiB; elsewhere node:fs, loaded before the program starts).
 */
function exists(file) {
  // Bun: a file with something in it exists (the files looked for here are never empty), told
  // without node:fs (4 MiB resident on Bun, see _files()); else node:fs says.
  if (typeof globalThis.Bun !== 'undefined' && typeof globalThis.Bun.file === 'function' && globalThis.Bun.file(file).size > 0) return true;
  if (typeof globalThis.Deno !== 'undefined' && typeof globalThis.Deno.statSync === 'function') {
    try {
      globalThis.Deno.statSync(file);
      return true;
    } catch {
      return false;
    }
  }
  return require('node:fs').existsSync(file);
}

function loadAddon() {
  const built = `${__dirname}/build/Release/trapdoor_native.node`;
  const first = exists(built) ? built : `${__dirname}/prebuilds/${process.platform}-${process.arch}/node.napi.glibc.node`;
  try {
    return require(first);
  } catch {
    return require('./binding.cjs').loadBinding(__dirname).binding;
  }
}

/**
 * One loaded addon per thread, whoever loads it: @trapdoor-js/runtime opens it itself (core.cjs)
 * and keeps the API under this key, and so does this file. A second load would run the addon's
 * Node-API init again, whose cleanup hook, registered twice, aborts Node.
 */
const SHARED = Symbol.for('trapdoor.native-addon');
const shared = globalThis[SHARED];
if (shared !== undefined && shared !== null && typeof shared.startWatcher === 'function') module.exports = shared;
else if (core === undefined) module.exports = unavailable(coreError);
else module.exports = load();

function load() {
  const { binding, bindingError } = open();
  const native = core.createNative(binding, bindingError, () => require('node:worker_threads'));
  if (native.isAvailable()) Object.defineProperty(globalThis, SHARED, { value: native, enumerable: false, configurable: true, writable: false });
  return native;
}

function open() {
  let binding = null;
  let bindingError = null;
  try {
    // Inside the try: on Deno without --allow-read even this require fails (only index.cjs, which
    // index.js imports statically, is loaded without a permission).
    binding = loadAddon();
    if (!binding || typeof binding.start !== 'function') throw new Error('the addon has no start()');
  } catch (cause) {
    binding = null;
    bindingError = core.loadFailure(cause);
  }
  return { binding, bindingError };
}

/** core.cjs not readable (Deno without --allow-read): the error the package gives then, as core.cjs's loadFailure words it. */
function unreadable(cause) {
  const error = new Error(
    `@trapdoor-js/native: the addon could not be loaded: ${cause && cause.message ? cause.message : String(cause)} (Deno loads Node-API addons only with --allow-ffi and --allow-read)`,
  );
  Object.defineProperty(error, 'code', { value: UNAVAILABLE, enumerable: true, configurable: true, writable: true });
  error.cause = cause;
  return error;
}

/** The API without the rules: every call that needs the addon throws why it is not there (core.cjs's CODES). */
function unavailable(bindingError) {
  const fail = () => {
    throw bindingError;
  };
  const codes = Object.freeze({ UNAVAILABLE, SIGNAL: 'ERR_TRAPDOOR_SIGNAL', SIGNAL_IN_USE: 'ERR_TRAPDOOR_SIGNAL_IN_USE', INVALID_ARG: 'ERR_TRAPDOOR_INVALID_ARG', NATIVE: 'ERR_TRAPDOOR_NATIVE' });
  return { startWatcher: fail, startDeadlineWatcher: fail, isAvailable: () => false, loadError: () => bindingError, signalDisposition: fail, codes, _stats: fail, _files: () => undefined };
}
