/** A running signal watcher. */
export interface Watcher {
  /**
   * Stops this watcher. The last watcher of a signal in the process puts back the signal's
   * previous disposition (unless a runtime listener replaced the handler since) and ends the
   * native thread. Idempotent.
   */
  stop(): void;
  /** The canonical signal name, e.g. 'SIGUSR2'. */
  readonly signal: string;
}

export interface WatcherOptions {
  /** A signal name: 'SIGUSR1', 'SIGUSR2', 'SIGHUP', … ('USR2' and lower case are accepted too). */
  signal: 'SIGUSR1' | 'SIGUSR2' | (string & {});
  /** An Int32Array over a SharedArrayBuffer. The watcher keeps it alive while it runs. */
  control: Int32Array;
  /** The word of `control` to write. */
  index: number;
  /** Atomically OR'ed into `control[index]` by a native thread on each delivery. */
  bits: number;
  /**
   * Called on the JS thread that started the watcher when its event loop next turns after a
   * delivery (several deliveries before that give one call). Never keeps the process alive.
   * An exception thrown here is reported as an uncaught exception.
   */
  onSignal: () => void;
}

/** Error codes on the errors this package throws (`error.code`). */
export declare const codes: {
  /** The addon could not be loaded (see loadError()), or the platform has no POSIX signals. */
  readonly UNAVAILABLE: 'ERR_TRAPDOOR_NATIVE_UNAVAILABLE';
  /** Unknown signal name, or one a watcher may not take (SIGKILL, SIGSTOP, SIGSEGV, …). */
  readonly SIGNAL: 'ERR_TRAPDOOR_SIGNAL';
  /** The signal already has a listener or a native handler in this process; it keeps it. */
  readonly SIGNAL_IN_USE: 'ERR_TRAPDOOR_SIGNAL_IN_USE';
  /** A bad option (control, index, bits, onSignal). */
  readonly INVALID_ARG: 'ERR_TRAPDOOR_INVALID_ARG';
  /** A system call failed (thread, semaphore, sigaction). */
  readonly NATIVE: 'ERR_TRAPDOOR_NATIVE';
};

export type TrapdoorNativeErrorCode = (typeof codes)[keyof typeof codes];

/** An Error (or TypeError/RangeError) thrown by this package. */
export interface TrapdoorNativeError extends Error {
  code: TrapdoorNativeErrorCode;
}

/** Starts a watcher. Throws a TrapdoorNativeError. */
export declare function startWatcher(options: WatcherOptions): Watcher;

/** Where startDeadlineWatcher reads the deadline and writes when it passes: word indices of `control`, and the bit. */
export interface DeadlineLayout {
  /** The word `bit` is OR'ed into when the deadline passes. */
  request: number;
  /** The generation, bumped by each new deadline. */
  seq: number;
  /** The deadline, a Date.now() time: its high and low 32 bits (0: none). */
  atHigh: number;
  atLow: number;
  /** Gets the generation that fired. */
  fired: number;
  bit: number;
}

/**
 * Starts this thread's deadline watcher: a native thread that waits until the deadline in
 * `control` passes, then stores its generation in `layout.fired` and ORs `layout.bit` into
 * `layout.request`. Returns `wake`, to call after writing a new deadline (a disarm needs none).
 * One per thread; it ends with the thread. Throws a TrapdoorNativeError.
 */
export declare function startDeadlineWatcher(control: Int32Array, layout: DeadlineLayout): () => void;

/** False (never throws) when the addon could not load; then loadError() says why. */
export declare function isAvailable(): boolean;

/** Why isAvailable() is false, or undefined when it is true. */
export declare function loadError(): TrapdoorNativeError | undefined;

/**
 * What is installed for `signal` in this process now: 'default', 'ignored', 'trapdoor' (this
 * addon's handler) or 'other' (the runtime's or another library's handler).
 */
export declare function signalDisposition(signal: string): 'default' | 'ignored' | 'trapdoor' | 'other' | 'unknown';

/** @internal Counters for tests and diagnostics. */
export declare function _stats(signal: string): { watchers: number; deliveries: number; suspended: boolean };

/** @internal The state-file operations of trapdoor's runtime on Bun (0 or an errno each), or undefined with an older addon. */
export declare function _files():
  | {
      fsMkdir(path: string, mode: number): number;
      fsLstat(path: string): [directory: boolean, uid: number, mode: number] | number;
      fsUnlink(path: string): number;
      fsRename(from: string, to: string): number;
      fsWriteNew(path: string, text: string, mode: number): number;
      fsReadDir(path: string): string[] | number;
      readonly EEXIST: number;
    }
  | undefined;
