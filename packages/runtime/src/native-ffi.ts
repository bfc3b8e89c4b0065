/**
 * The native signal watcher on Deno without Deno's CommonJS loader: @trapdoor-js/native's shared
 * library opened with `Deno.dlopen` (FFI) and driven through its plain C entry points
 * (`td_ffi_call`, beside the Node-API ones in the same .node file), instead of `require()` of the
 * package. Loading CommonJS at all costs an idle Deno process about 2.5 MiB resident (its Node
 * module loader set up), the FFI about 0.5 MiB (bench/startup.mjs's memory rows).
 *
 * The same watcher as the package's `startWatcher` (index.cjs), and the same errors: a refused or
 * unknown signal, a signal the program already listens for (its listener keeps it), a signal with
 * a native handler already. A listener the program adds later takes the signal over as there:
 * the watcher drops deliveries until the program's last listener is gone. Its codes, refused
 * signals and errors are the package's own (core.cjs, which the runtime's entries bundle, so no
 * CommonJS is loaded for it); the rules that need the addon are restated here over the FFI calls,
 * and native-ffi.test.ts checks that both give the same answers.
 *
 * Main thread only (the runtime's activation triggers are the main thread's): such a watcher has
 * no environment to end with, it lives until it is stopped or the program ends (guardExit). One
 * difference: a watcher stopped leaves Deno's handler behind (its wake-up listener's, below), so
 * another for that signal is refused (the runtime never stops its own).
 */
// The package's own codes, refused signals and errors (bundled into the runtime's entries: no CommonJS loaded).
import { CODES, makeError, REFUSED } from '@trapdoor-js/native/core';
import { denoSignalListeners, signalListenerCount, watchSignalListeners } from './host-process.js';

/** What activation-triggers.ts uses of @trapdoor-js/native. */
export interface SignalWatchers {
  startWatcher(options: { signal: string; control: Int32Array; index: number; bits: number; onSignal: () => void }): { readonly signal: string; stop(): void };
}

type Pointer = object | null;
interface DenoFfi {
  dlopen(path: string, symbols: Record<string, { parameters: unknown[]; result: string }>): { symbols: Record<string, (...args: unknown[]) => unknown> };
  UnsafePointer: { of(value: ArrayBufferView): Pointer; offset(pointer: Pointer, bytes: number): Pointer; value(pointer: Pointer): bigint };
  build: { os: string; arch: string };
}

const DISPOSITIONS = ['default', 'ignored', 'trapdoor', 'other'] as const;

/**
 * The addon's one C entry point, td_ffi_call(struct { int64 op, a, b, c, d }), and its
 * operations (trapdoor_native.c says what each takes and returns). A struct argument, because
 * Deno compiles a fast-call trampoline for a symbol whose arguments are all scalars, and the first
 * one pages in 2.3 MiB of Deno's compiler; a struct goes through libffi (0.5 MiB).
 */
const SYMBOLS = { td_ffi_call: { parameters: [{ struct: ['i64', 'i64', 'i64', 'i64', 'i64'] }], result: 'i32' } };
const Op = { SUPPORTED: 0, SIGNAL_NUMBER: 1, DISPOSITION: 2, START: 3, STOP: 4, SUSPEND: 5, RESUME: 6, STRERROR: 7 } as const;

/** td_ffi_call with pointers as bigints (Deno.UnsafePointer.value). */
type Call = (op: number, a?: number | bigint, b?: number | bigint, c?: number | bigint, d?: number | bigint) => number;

interface Library {
  signalNumber(name: string): number;
  disposition(signo: number): number;
  start(signo: number, word: Pointer, bits: number): number;
  stop(id: number): number;
  suspend(signo: number): void;
  resume(signo: number): number;
  strerror(error: number): string;
}

function library(deno: DenoFfi, call: Call): Library {
  const address = (pointer: Pointer): bigint => deno.UnsafePointer.value(pointer);
  const encoder = new TextEncoder();
  return {
    signalNumber: (name) => {
      const bytes = encoder.encode(`${name}\0`);
      return call(Op.SIGNAL_NUMBER, address(deno.UnsafePointer.of(bytes)));
    },
    disposition: (signo) => call(Op.DISPOSITION, signo),
    start: (signo, word, bits) => call(Op.START, signo, address(word), bits),
    stop: (id) => call(Op.STOP, id),
    suspend: (signo) => void call(Op.SUSPEND, signo),
    resume: (signo) => call(Op.RESUME, signo),
    strerror: (error) => {
      const text = new Uint8Array(256);
      call(Op.STRERROR, error, address(deno.UnsafePointer.of(text)), text.length);
      return new TextDecoder().decode(text.subarray(0, text.indexOf(0)));
    },
  };
}

/**
 * The addon file that index.cjs would load first in `packageDir` (build/Release when it is
 * there, else this platform's glibc prebuild), as Deno names platforms.
 */
export function addonFile(packageDir: string, exists: (file: string) => boolean): string {
  const built = `${packageDir}/build/Release/trapdoor_native.node`;
  if (exists(built)) return built;
  const { os, arch } = (globalThis as unknown as { Deno: DenoFfi }).Deno.build;
  const nodeArch = ({ x86_64: 'x64', aarch64: 'arm64' } as Record<string, string>)[arch] ?? arch;
  return `${packageDir}/prebuilds/${os}-${nodeArch}/node.napi.glibc.node`;
}

/** The watcher through FFI from the addon `file`, or why not (the caller then tries Node-API). */
export function loadFfiWatchers(file: string): SignalWatchers | string {
  const deno = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
  if (deno === undefined || typeof deno.dlopen !== 'function') return 'not Deno';
  let symbol: (args: BigInt64Array) => number;
  try {
    symbol = deno.dlopen(file, SYMBOLS).symbols.td_ffi_call as (args: BigInt64Array) => number;
  } catch (error) {
    // Not there, another C library's build, or an addon older than the td_ffi_call entry point.
    return error instanceof Error ? error.message : String(error);
  }
  const args = new BigInt64Array(5);
  const call: Call = (op, a = 0, b = 0, c = 0, d = 0) => {
    args[0] = BigInt(op);
    args[1] = BigInt(a);
    args[2] = BigInt(b);
    args[3] = BigInt(c);
    args[4] = BigInt(d);
    return symbol(args);
  };
  if (call(Op.SUPPORTED) !== 1) return 'signals are not supported on this platform';
  const lib = library(deno, call);
  return { startWatcher: (options) => startWatcher(deno, lib, options) };
}

function resolveSignal(lib: Library, signal: string): [string, number] {
  if (typeof signal !== 'string' || signal.length === 0) {
    throw makeError(CODES.SIGNAL, `signal must be a signal name such as 'SIGUSR2', got ${JSON.stringify(signal)}`, TypeError);
  }
  let name = signal.toUpperCase();
  if (!name.startsWith('SIG')) name = 'SIG' + name;
  const number = /^SIG[A-Z0-9]{1,10}$/.test(name) ? lib.signalNumber(name) : -1;
  if (number <= 0) throw makeError(CODES.SIGNAL, `unknown signal '${signal}' on ${platform()}`);
  if (Object.prototype.hasOwnProperty.call(REFUSED, name)) {
    throw makeError(CODES.SIGNAL, `${name} cannot be used to activate trapdoor: it ${REFUSED[name]}`);
  }
  return [name, number];
}

/** As process.platform names it (core.cjs's messages say it), without asking `process`. */
function platform(): string {
  const os = (globalThis as unknown as { Deno: DenoFfi }).Deno.build.os;
  return os === 'windows' ? 'win32' : os;
}

function disposition(lib: Library, signo: number): string {
  return DISPOSITIONS[lib.disposition(signo)] ?? 'unknown';
}

// Watchers running, by signal name → count; the blocks the C side points to.
const active = new Map<string, number>();
const retained = new Set<unknown>();
let watching = false;

/**
 * The program's listener for a watched signal owns it from then on: the addon drops deliveries
 * (and the watchers' own listeners do nothing) until the program's last listener is removed.
 * Seen through `Deno.addSignalListener` (host-process.ts), which every listener goes through,
 * `process.on` of either `process` too, so that `process` itself is not loaded for it.
 */
function watchProgram(lib: Library): void {
  if (watching) return;
  watching = true;
  guardExit(lib);
  watchSignalListeners((signal, count) => {
    if (!active.has(signal)) return;
    if (count > 0) lib.suspend(lib.signalNumber(signal));
    else lib.resume(lib.signalNumber(signal));
  });
}

/**
 * Deno frees the control blocks (and closes the addon) when it tears its runtime down, before
 * the process exits: the addon's dispatcher must not write into a block after that, or a signal
 * arriving while the process exits corrupts its heap (fixtures/ffi-exit-race.mjs: a SIGSEGV or
 * SIGABRT in most such exits). So the watched signals are suspended (deliveries dropped) when
 * Deno says the program ends: 'unload' (its last task done, Deno.exit), 'error' and
 * 'unhandledrejection' (an uncaught error) unless the program's own listener prevents that end,
 * as it may, after ours (the runtime loads first): then they are taken back. Deno's handler stays,
 * with the watchers' listeners, so a signal then does nothing.
 */
function guardExit(lib: Library): void {
  const suspendAll = (): void => {
    for (const signal of active.keys()) lib.suspend(lib.signalNumber(signal));
  };
  const target = globalThis as unknown as { addEventListener(type: string, listener: (event: Event) => void): void };
  target.addEventListener('unload', suspendAll);
  for (const type of ['error', 'unhandledrejection']) {
    target.addEventListener(type, (event) => {
      suspendAll();
      // The program's listeners for it run after this one, in the same dispatch.
      queueMicrotask(() => {
        if (!event.defaultPrevented) return;
        for (const signal of active.keys()) if (signalListenerCount(signal) === 0) lib.resume(lib.signalNumber(signal));
      });
    });
  }
}

function startWatcher(deno: DenoFfi, lib: Library, options: Parameters<SignalWatchers['startWatcher']>[0]): { readonly signal: string; stop(): void } {
  const { signal, control, index, bits, onSignal } = options;
  const [name, number] = resolveSignal(lib, signal);
  watchProgram(lib);
  if (signalListenerCount(name) > 0) {
    throw makeError(
      CODES.SIGNAL_IN_USE,
      `${name} already has a listener in this process (process.on('${name}')); it keeps the signal. Choose another signal or remove the listener.`,
    );
  }
  if (disposition(lib, number) === 'other' && !active.has(name)) {
    throw makeError(
      CODES.SIGNAL_IN_USE,
      `${name} already has a native handler in this process (installed by the runtime or another library); it keeps the signal. Choose another signal.`,
    );
  }
  const word = deno.UnsafePointer.offset(deno.UnsafePointer.of(control), index * Int32Array.BYTES_PER_ELEMENT);
  const id = lib.start(number, word, bits | 0);
  if (id < 0) {
    throw makeError(CODES.NATIVE, `could not start the signal watcher: ${lib.strerror(id)}`);
  }
  // The addon's handler wakes its dispatcher thread, which sets the bit (a busy thread traps at
  // its next check); Deno's own signal listener, whose handler is installed over the addon's and
  // calls it first, wakes an idle thread here, possibly before that bit is set: activation does
  // not read it. Deno's listener keeps no process alive, and it keeps Deno's handler from the
  // signal's default action (ending the process) while the program has no listener of its own.
  // No call into JS from another thread (a Deno.UnsafeCallback, which Deno frees when it tears
  // its runtime down while another thread may be calling it). An exception is the program's
  // uncaught exception, as on Node.
  let stopped = false;
  const wake = (): void => {
    if (stopped || signalListenerCount(name) > 0) return;
    try {
      onSignal();
    } catch (error) {
      reportError(error);
    }
  };
  try {
    denoSignalListeners().addSignalListener(name, wake);
  } catch (error) {
    lib.stop(id);
    throw makeError(CODES.NATIVE, `could not start the signal watcher: ${error instanceof Error ? error.message : String(error)}`);
  }
  // The C side holds a raw pointer into it: never collected.
  retained.add(control);
  active.set(name, (active.get(name) ?? 0) + 1);
  return Object.freeze({
    get signal() {
      return name;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      lib.stop(id);
      try {
        denoSignalListeners().removeSignalListener(name, wake);
      } catch {
        // already gone
      }
      const left = (active.get(name) ?? 1) - 1;
      if (left > 0) active.set(name, left);
      else active.delete(name);
    },
  });
}
