'use strict';
// @trapdoor-js/native's watcher rules over a loaded addon: index.cjs (the package's entry) loads the
// addon and builds its API with createNative; @trapdoor-js/runtime bundles this file and builds
// the same API over the addon it opens itself with process.dlopen (no CommonJS loader: about
// 2 ms of CPU on Node and 1.3 MiB resident on Bun in every instrumented process). So this file
// requires nothing: what it needs from outside is passed in.
// ASCII only: one character beyond it and V8 keeps the whole source as a two-byte string
// (src/native.test.ts checks).

const CODES = {
  UNAVAILABLE: 'ERR_TRAPDOOR_NATIVE_UNAVAILABLE',
  SIGNAL: 'ERR_TRAPDOOR_SIGNAL',
  SIGNAL_IN_USE: 'ERR_TRAPDOOR_SIGNAL_IN_USE',
  INVALID_ARG: 'ERR_TRAPDOOR_INVALID_ARG',
  NATIVE: 'ERR_TRAPDOOR_NATIVE',
};

/** Signals a watcher may not take: uncatchable, synchronous faults, or owned by the runtime. */
const REFUSED = {
  SIGKILL: 'cannot be caught',
  SIGSTOP: 'cannot be caught',
  SIGSEGV: 'is a synchronous fault signal',
  SIGBUS: 'is a synchronous fault signal',
  SIGFPE: 'is a synchronous fault signal',
  SIGILL: 'is a synchronous fault signal',
  SIGTRAP: 'is used by debuggers',
  SIGABRT: 'ends the process whatever its handler does',
  SIGSYS: 'is used by seccomp',
  SIGPROF: 'is used by the engine\'s CPU profiler',
  SIGCHLD: 'is used by the runtime for child processes',
  SIGPIPE: 'is ignored by the runtime so writes see EPIPE',
};

function makeError(code, message, Ctor = Error) {
  const error = new Ctor(message);
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return error;
}

function runtimeName() {
  if (typeof globalThis.Bun !== 'undefined') return 'bun';
  if (typeof globalThis.Deno !== 'undefined') return 'deno';
  return 'node';
}

/**
 * The package's API over `binding` (the loaded addon, or null: then `bindingError` says why and
 * every call that needs the addon throws it). `workerThreads()` returns node:worker_threads, asked
 * only on a thread that cannot tell otherwise whether it is the main thread. One per thread: each
 * call has its own watchers and its own process listeners.
 */
function createNative(binding, bindingError, workerThreads) {
  if (binding && binding.supported === false) {
    bindingError = makeError(CODES.UNAVAILABLE, `@trapdoor-js/native: signals are not supported on ${process.platform}`);
    binding = null;
  }

  /** True when the addon loaded and this platform has POSIX signals. Never throws. */
  function isAvailable() {
    return binding !== null;
  }

  /** Why `isAvailable()` is false (an Error with code ERR_TRAPDOOR_NATIVE_UNAVAILABLE), or undefined. */
  function loadError() {
    return bindingError === null ? undefined : bindingError;
  }

  function requireBinding() {
    if (binding === null) throw bindingError;
    return binding;
  }

  /** 'SIGUSR2', 'sigusr2' and 'USR2' all name SIGUSR2. Returns [canonical name, number]. */
  function resolveSignal(signal) {
    if (typeof signal !== 'string' || signal.length === 0) {
      throw makeError(CODES.SIGNAL, `signal must be a signal name such as 'SIGUSR2', got ${describe(signal)}`, TypeError);
    }
    let name = signal.toUpperCase();
    if (!name.startsWith('SIG')) name = 'SIG' + name;
    const number = /^SIG[A-Z0-9]{1,10}$/.test(name) ? requireBinding().signalNumber(name) : -1;
    if (number <= 0) throw makeError(CODES.SIGNAL, `unknown signal '${signal}' on ${process.platform}`);
    if (Object.prototype.hasOwnProperty.call(REFUSED, name)) {
      throw makeError(CODES.SIGNAL, `${name} cannot be used to activate trapdoor: it ${REFUSED[name]}`);
    }
    return [name, number];
  }

  function describe(value) {
    if (value === null) return 'null';
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'object' || typeof value === 'function') return Object.prototype.toString.call(value);
    return `${typeof value} ${String(value)}`;
  }

  function isSharedInt32Array(value) {
    if (!(value instanceof Int32Array) && Object.prototype.toString.call(value) !== '[object Int32Array]') return false;
    return Object.prototype.toString.call(value.buffer) === '[object SharedArrayBuffer]';
  }

  function isMainThread() {
    // Bun says so itself: importing node:worker_threads costs a Bun process about 5 MiB resident.
    if (typeof globalThis.Bun !== 'undefined' && typeof globalThis.Bun.isMainThread === 'boolean') return globalThis.Bun.isMainThread;
    // Deno's main thread is the one whose global object is a Window (a worker's, of either kind, is
    // a DedicatedWorkerGlobalScope without Window): the import alone costs a Deno process 1.4 MiB.
    // In a worker, the module's answer (it calls a web worker a main thread).
    if (typeof globalThis.Deno !== 'undefined' && typeof globalThis.Window === 'function' && globalThis instanceof globalThis.Window) return true;
    // Node: a thread into which node:worker_threads and its internals were not loaded is the main
    // thread (Node's worker bootstrap loads them all before a worker's own code runs): loading the
    // module costs a process about 3 ms of CPU. A thread that has one loaded asks the module, which
    // is loaded already then, and so does a runtime without process.moduleLoadList.
    const loaded = typeof globalThis.Deno === 'undefined' ? process.moduleLoadList : undefined;
    if (Array.isArray(loaded) && !WORKER_MODULES.some((name) => loaded.includes(name))) return true;
    try {
      return workerThreads().isMainThread;
    } catch {
      return true;
    }
  }

  /** What Node's worker bootstrap loads into every worker thread (isMainThread). */
  const WORKER_MODULES = ['NativeModule worker_threads', 'NativeModule internal/worker', 'NativeModule internal/worker/io'];

  function processListenerCount(name) {
    try {
      return typeof process.listenerCount === 'function' ? process.listenerCount(name) : 0;
    } catch {
      return 0;
    }
  }

  // --- A user's own listener takes precedence -------------------------------------------------
  // Watchers started on this thread, by canonical signal name to its count.
  const active = new Map();
  // Deno only: a no-op Deno signal listener per signal, see onRemoveListener.
  const denoKeepers = new Map();
  let hooked = false;

  // process.on(signal) after a watcher started: the user's listener owns the signal from then on.
  // Node (libuv) and Bun replace the addon's handler with their own; Deno's handler chains to it.
  // Either way the addon drops deliveries until the user's last listener is removed.
  function onNewListener(event) {
    if (typeof event !== 'string' || !active.has(event) || !binding) return;
    binding.suspend(binding.signalNumber(event));
    if (!emitsRemoveListener) startRemovalPoll(event);
  }

  // The user's last listener is gone: take the signal back.
  // - Node: libuv's 'removeListener' hook (registered at start-up, so it ran before this one) has
  //   reset the signal to SIG_DFL; the addon installs its handler again.
  // - Bun: it resets the signal to SIG_DFL too (synchronously, in process.off), likewise.
  // - Deno: its own handler stays installed, calls the addon's handler first (it saved it as the
  //   previous one) and then, with no JS listener left, emulates the default action (SIGUSR1/2
  //   would end the process). A no-op Deno listener prevents that default while the watcher runs.
  function onRemoveListener(event) {
    if (typeof event !== 'string' || !active.has(event) || !binding || processListenerCount(event) !== 0) return;
    stopRemovalPoll(event);
    const disposition = binding.resume(binding.signalNumber(event));
    if (disposition === 'other' && runtimeName() === 'deno') addDenoKeeper(event);
  }

  function addDenoKeeper(name) {
    if (denoKeepers.has(name)) return;
    const keeper = () => {};
    try {
      globalThis.Deno.addSignalListener(name, keeper);
      denoKeepers.set(name, keeper);
    } catch {
      // Deno refused the signal: nothing to keep.
    }
  }

  function removeDenoKeeper(name) {
    const keeper = denoKeepers.get(name);
    if (keeper === undefined) return;
    denoKeepers.delete(name);
    try {
      globalThis.Deno.removeSignalListener(name, keeper);
    } catch {
      // already gone
    }
  }

  // Bun's process does not emit 'removeListener' (1.4.5), so wrap the removing methods instead,
  // and, for removals that bypass them (a process.once listener that fired is removed natively),
  // check the listener count from an unref'd timer while the signal is suspended.
  let emitsRemoveListener = true;
  const removalPolls = new Map();

  function startRemovalPoll(name) {
    if (removalPolls.has(name)) return;
    const timer = setInterval(() => {
      if (!active.has(name)) stopRemovalPoll(name);
      else if (processListenerCount(name) === 0) {
        stopRemovalPoll(name);
        onRemoveListener(name);
      }
    }, 100);
    if (typeof timer === 'object' && timer !== null && typeof timer.unref === 'function') timer.unref();
    else if (typeof timer === 'number' && typeof globalThis.Deno?.unrefTimer === 'function') globalThis.Deno.unrefTimer(timer);
    removalPolls.set(name, timer);
  }

  function stopRemovalPoll(name) {
    const timer = removalPolls.get(name);
    if (timer === undefined) return;
    removalPolls.delete(name);
    clearInterval(timer);
  }

  function processEmitsRemoveListener() {
    const probe = 'trapdoor:probe-remove-listener';
    let seen = false;
    const detector = (event) => {
      if (event === probe) seen = true;
    };
    const noop = () => {};
    try {
      process.on('removeListener', detector);
      process.on(probe, noop);
      process.removeListener(probe, noop);
    } finally {
      process.removeListener('removeListener', detector);
    }
    return seen;
  }

  function wrapRemovals() {
    for (const method of ['removeListener', 'off', 'removeAllListeners']) {
      const original = process[method];
      if (typeof original !== 'function') continue;
      const wrapped = {
        [method](...args) {
          const result = original.apply(this, args);
          if (this === process) {
            if (args.length === 0 && method === 'removeAllListeners') for (const name of active.keys()) onRemoveListener(name);
            else onRemoveListener(args[0]);
          }
          return result;
        },
      }[method];
      Object.defineProperty(process, method, { value: wrapped, writable: true, configurable: true, enumerable: false });
    }
  }

  function hookProcess() {
    if (hooked || !isMainThread() || typeof process.on !== 'function') return;
    hooked = true;
    emitsRemoveListener = processEmitsRemoveListener();
    process.on('newListener', onNewListener);
    if (emitsRemoveListener) process.on('removeListener', onRemoveListener);
    else wrapRemovals();
  }

  /**
   * Starts watching `signal`: each delivery ORs `bits` into `control[index]` (from a native
   * thread, so a busy JS thread sees it at its next check) and calls `onSignal` on this thread
   * when its event loop next turns (never keeping the process alive).
   */
  function startWatcher(options) {
    const native = requireBinding();
    if (options === null || typeof options !== 'object') {
      throw makeError(CODES.INVALID_ARG, `options must be an object, got ${describe(options)}`, TypeError);
    }
    const { signal, control, index, bits, onSignal } = options;
    const [name, number] = resolveSignal(signal);
    if (!isSharedInt32Array(control)) {
      throw makeError(CODES.INVALID_ARG, `control must be an Int32Array over a SharedArrayBuffer, got ${describe(control)}`, TypeError);
    }
    if (!Number.isInteger(index) || index < 0 || index >= control.length) {
      throw makeError(CODES.INVALID_ARG, `index must be an integer in [0, ${control.length}), got ${describe(index)}`, RangeError);
    }
    if (!Number.isInteger(bits) || bits < -0x80000000 || bits > 0xffffffff) {
      throw makeError(CODES.INVALID_ARG, `bits must be a 32-bit integer, got ${describe(bits)}`, RangeError);
    }
    if (typeof onSignal !== 'function') {
      throw makeError(CODES.INVALID_ARG, `onSignal must be a function, got ${describe(onSignal)}`, TypeError);
    }

    // Someone else's listener was there first: leave the signal to it.
    if (processListenerCount(name) > 0) {
      throw makeError(
        CODES.SIGNAL_IN_USE,
        `${name} already has a listener in this process (process.on('${name}')); it keeps the signal. Choose another signal or remove the listener.`,
      );
    }
    const disposition = native.disposition(number);
    if (disposition === 'other') {
      throw makeError(
        CODES.SIGNAL_IN_USE,
        `${name} already has a native handler in this process (installed by the runtime or another library); it keeps the signal. Choose another signal.`,
      );
    }

    hookProcess();
    let id;
    try {
      id = native.start(number, control, index, bits | 0, onSignal, isMainThread());
    } catch (error) {
      if (error && typeof error === 'object' && typeof error.code !== 'string') error.code = CODES.NATIVE;
      throw error;
    }
    active.set(name, (active.get(name) || 0) + 1);

    let stopped = false;
    // The closure keeps `control` reachable from JS too, not only through the addon's reference.
    const watcher = {
      get signal() {
        return name;
      },
      stop() {
        if (stopped) return;
        stopped = true;
        native.stop(id);
        const left = (active.get(name) || 1) - 1;
        if (left === 0) {
          active.delete(name);
          removeDenoKeeper(name);
          stopRemovalPoll(name);
        } else active.set(name, left);
        void control;
      },
    };
    return Object.freeze(watcher);
  }

  /**
   * Starts this thread's deadline watcher (what @trapdoor-js/runtime/deadline arms): a native
   * thread that waits until the time written in `control` (a Date.now() time in words
   * `layout.atHigh`/`layout.atLow`, its generation in `layout.seq`; 0 is none), then stores the
   * generation in `layout.fired` and ORs `layout.bit` into `layout.request`, so a busy JS thread
   * traps at its next check. Returns `wake`, to call after each new deadline is written (JS cannot
   * wake a native thread with Atomics.notify). One per thread; it ends with the thread.
   */
  function startDeadlineWatcher(control, layout) {
    const native = requireBinding();
    if (typeof native.deadlineStart !== 'function') {
      throw makeError(CODES.UNAVAILABLE, '@trapdoor-js/native: the addon has no deadline watcher (built from an older version: npm rebuild @trapdoor-js/native)');
    }
    if (!isSharedInt32Array(control)) {
      throw makeError(CODES.INVALID_ARG, `control must be an Int32Array over a SharedArrayBuffer, got ${describe(control)}`, TypeError);
    }
    for (const name of ['request', 'seq', 'atHigh', 'atLow', 'fired']) {
      const index = layout === null || typeof layout !== 'object' ? undefined : layout[name];
      if (!Number.isInteger(index) || index < 0 || index >= control.length) {
        throw makeError(CODES.INVALID_ARG, `layout.${name} must be an integer in [0, ${control.length}), got ${describe(index)}`, RangeError);
      }
    }
    if (!Number.isInteger(layout.bit) || layout.bit < -0x80000000 || layout.bit > 0xffffffff) {
      throw makeError(CODES.INVALID_ARG, `layout.bit must be a 32-bit integer, got ${describe(layout.bit)}`, RangeError);
    }
    let handle;
    try {
      handle = native.deadlineStart(control, layout.request, layout.seq, layout.atHigh, layout.atLow, layout.fired, layout.bit | 0);
    } catch (error) {
      if (error && typeof error === 'object' && typeof error.code !== 'string') error.code = CODES.NATIVE;
      throw error;
    }
    const wake = native.deadlineWake;
    return () => wake(handle);
  }

  /**
   * What is installed for `signal` now: 'default', 'ignored', 'trapdoor' (this addon's handler)
   * or 'other' (the runtime's or another library's). Throws like startWatcher for bad names.
   */
  function signalDisposition(signal) {
    const [, number] = resolveSignal(signal);
    return requireBinding().disposition(number);
  }

  /**
   * @internal The few synchronous file operations of trapdoor's runtime before activation (its
   * state file: packages/runtime/src/host-fs.ts), for Bun, where the runtime would otherwise load
   * node:fs for them alone. Each returns 0 or an errno; fsLstat [isDirectory, uid, mode] and
   * fsReadDir the names, or the errno. Undefined when the addon has none (an older build).
   */
  function _files() {
    if (binding === null || typeof binding.fsWriteNew !== 'function') return undefined;
    const { fsMkdir, fsLstat, fsUnlink, fsRename, fsWriteNew, fsReadDir, EEXIST } = binding;
    return { fsMkdir, fsLstat, fsUnlink, fsRename, fsWriteNew, fsReadDir, EEXIST };
  }

  /** @internal counters for tests and diagnostics. */
  function _stats(signal) {
    const [, number] = resolveSignal(signal);
    return requireBinding().stats(number);
  }

  return { startWatcher, startDeadlineWatcher, isAvailable, loadError, signalDisposition, codes: Object.freeze({ ...CODES }), _stats, _files };
}

/** The error of an addon that could not be loaded (`cause`: why), as isAvailable()/loadError() report it. */
function loadFailure(cause) {
  let hint = '';
  if (runtimeName() === 'deno') hint = ' (Deno loads Node-API addons only with --allow-ffi and --allow-read)';
  else if (!(cause && Array.isArray(cause.causes) && cause.causes.length > 0)) {
    hint = '; it is built at install when there is no prebuild for the platform, which needs a C compiler, make and python3 (then: npm rebuild @trapdoor-js/native)';
  }
  const error = makeError(CODES.UNAVAILABLE, `@trapdoor-js/native: the addon could not be loaded: ${cause && cause.message ? cause.message : String(cause)}${hint}`);
  error.cause = cause;
  return error;
}

// CODES, REFUSED and makeError also for the runtime's Deno FFI watcher (native-ffi.ts), which gives the same errors.
module.exports = { createNative, loadFailure, CODES, REFUSED, makeError };
