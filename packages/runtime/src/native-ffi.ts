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
 * the watcher drops deliveries until the program's last listener is gone. index.cjs's rules are
 * restated here (not shared: that file is loaded with `require`, which is what this file avoids);
 * native.test.ts's Deno FFI tests check that both give the same answers.
 *
 * Main thread only (the runtime's activation triggers are the main thread's): such a watcher has
 * no environment to end with, it lives until the process exits.
 */

/** What activation-triggers.ts uses of @trapdoor-js/native. */
export interface SignalWatchers {
  startWatcher(options: { signal: string; control: Int32Array; index: number; bits: number; onSignal: () => void }): { readonly signal: string; stop(): void };
}

type Pointer = object | null;
interface DenoFfi {
  dlopen(path: string, symbols: Record<string, { parameters: unknown[]; result: string }>): { symbols: Record<string, (...args: unknown[]) => unknown> };
  UnsafePointer: { of(value: ArrayBufferView): Pointer; offset(pointer: Pointer, bytes: number): Pointer; value(pointer: Pointer): bigint };
  UnsafeCallback: { threadSafe(definition: { parameters: string[]; result: string }, callback: () => void): { pointer: Pointer; unref(): number } };
  addSignalListener(name: string, listener: () => void): void;
  removeSignalListener(name: string, listener: () => void): void;
  build: { os: string; arch: string };
}

const CODES = {
  SIGNAL: 'ERR_TRAPDOOR_SIGNAL',
  SIGNAL_IN_USE: 'ERR_TRAPDOOR_SIGNAL_IN_USE',
  NATIVE: 'ERR_TRAPDOOR_NATIVE',
} as const;

/** index.cjs's REFUSED: signals a watcher may not take, and why. */
const REFUSED: Record<string, string> = {
  SIGKILL: 'cannot be caught',
  SIGSTOP: 'cannot be caught',
  SIGSEGV: 'is a synchronous fault signal',
  SIGBUS: 'is a synchronous fault signal',
  SIGFPE: 'is a synchronous fault signal',
  SIGILL: 'is a synchronous fault signal',
  SIGTRAP: 'is used by debuggers',
  SIGABRT: 'ends the process whatever its handler does',
  SIGSYS: 'is used by seccomp',
  SIGPROF: "is used by the engine's CPU profiler",
  SIGCHLD: 'is used by the runtime for child processes',
  SIGPIPE: 'is ignored by the runtime so writes see EPIPE',
};

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
  start(signo: number, word: Pointer, bits: number, notify: Pointer): number;
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
    start: (signo, word, bits, notify) => call(Op.START, signo, address(word), bits, address(notify)),
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

function makeError(code: string, message: string, Ctor: ErrorConstructor = Error): Error & { code: string } {
  const error = new Ctor(message) as Error & { code: string };
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return error;
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

/** As process.platform names it (index.cjs's messages say it), without asking `process`. */
function platform(): string {
  const os = (globalThis as unknown as { Deno: DenoFfi }).Deno.build.os;
  return os === 'windows' ? 'win32' : os;
}

function disposition(lib: Library, signo: number): string {
  return DISPOSITIONS[lib.disposition(signo)] ?? 'unknown';
}

function listenerCount(name: string): number {
  try {
    return typeof process.listenerCount === 'function' ? process.listenerCount(name) : 0;
  } catch {
    return 0;
  }
}

// Watchers running, by signal name → count; Deno signal listeners that keep a signal's default
// action away (see onRemoveListener); the callbacks and blocks the C side points to.
const active = new Map<string, number>();
const keepers = new Map<string, () => void>();
const retained = new Set<unknown>();
let hooked = false;

function hookProcess(deno: DenoFfi, lib: Library): void {
  if (hooked || typeof process.on !== 'function') return;
  hooked = true;
  // The program's listener for a watched signal owns it from then on: Deno's handler chains to
  // the addon's, which drops deliveries until the program's last listener is removed.
  process.on('newListener', (event: string | symbol) => {
    if (typeof event !== 'string' || !active.has(event)) return;
    lib.suspend(lib.signalNumber(event));
  });
  // Gone: take it back. Deno's handler stays installed (it calls the addon's first, then, with
  // no JS listener left, would emulate the default action, which ends the process for SIGUSR1/2):
  // a no-op Deno listener keeps that away while the watcher runs.
  process.on('removeListener', (event: string | symbol) => {
    if (typeof event !== 'string' || !active.has(event) || listenerCount(event) !== 0) return;
    const after = DISPOSITIONS[lib.resume(lib.signalNumber(event))];
    if (after === 'other' && !keepers.has(event)) {
      const keeper = (): void => {};
      try {
        deno.addSignalListener(event, keeper);
        keepers.set(event, keeper);
      } catch {
        // Deno refused the signal: nothing to keep.
      }
    }
  });
}

function startWatcher(deno: DenoFfi, lib: Library, options: Parameters<SignalWatchers['startWatcher']>[0]): { readonly signal: string; stop(): void } {
  const { signal, control, index, bits, onSignal } = options;
  const [name, number] = resolveSignal(lib, signal);
  if (listenerCount(name) > 0) {
    throw makeError(
      CODES.SIGNAL_IN_USE,
      `${name} already has a listener in this process (process.on('${name}')); it keeps the signal. Choose another signal or remove the listener.`,
    );
  }
  if (disposition(lib, number) === 'other') {
    throw makeError(
      CODES.SIGNAL_IN_USE,
      `${name} already has a native handler in this process (installed by the runtime or another library); it keeps the signal. Choose another signal.`,
    );
  }
  hookProcess(deno, lib);
  let stopped = false;
  // Called on this thread when its event loop next turns after a delivery; unref'd: it never
  // keeps the process alive. An exception is the program's uncaught exception, as there.
  const callback = deno.UnsafeCallback.threadSafe({ parameters: [], result: 'void' }, () => {
    if (stopped) return;
    try {
      onSignal();
    } catch (error) {
      reportError(error);
    }
  });
  callback.unref();
  const word = deno.UnsafePointer.offset(deno.UnsafePointer.of(control), index * Int32Array.BYTES_PER_ELEMENT);
  const id = lib.start(number, word, bits | 0, callback.pointer);
  if (id < 0) {
    throw makeError(CODES.NATIVE, `could not start the signal watcher: ${lib.strerror(id)}`);
  }
  // The C side holds raw pointers to both: never collected (the callback is not closed even
  // after stop, since a call may be under way on the notifier thread).
  retained.add(callback);
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
      const left = (active.get(name) ?? 1) - 1;
      if (left > 0) {
        active.set(name, left);
        return;
      }
      active.delete(name);
      const keeper = keepers.get(name);
      if (keeper !== undefined) {
        keepers.delete(name);
        try {
          deno.removeSignalListener(name, keeper);
        } catch {
          // already gone
        }
      }
    },
  });
}
