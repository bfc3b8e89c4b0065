/**
 * @trapdoor-js/runtime/deadline: a per-test deadline that also stops a test stuck in a
 * synchronous loop, which no runner's own timer can (its timer runs on the thread that spins).
 *
 *   import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline';
 *   armDeadline(5000, { message: 'Test timed out in 5000ms.' }); // when a test starts
 *   disarmDeadline();                                             // when it ends, passed or failed
 *
 * Call both on the thread that runs the test (each thread has its own control block and its own
 * deadline; a Vitest `threads` worker arms its own). One deadline per thread: arming replaces the
 * one armed before.
 *
 * When the deadline passes while instrumented code runs, its next check (every loop back-edge and
 * function entry) throws a StuckError from the stuck frame (stuck-error.ts): the runner's message,
 * where it was stuck in original positions, the top frame's locals; `stack` in original
 * positions; `code` 'ERR_TRAPDOOR_STUCK'. The test fails as the runner reports a thrown error.
 *
 * How:
 *  - Arming writes the deadline (a `Date.now()` time) into the thread's control block, bumps a
 *    generation word and `Atomics.notify`s it: a few atomic writes, no message, no allocation,
 *    so thousands of tests arm and disarm for nothing. The REQUEST word stays 0: checks keep
 *    their fast path while a deadline is armed and has not passed.
 *  - A watcher thread, started on the first arm, waits for that time; when the deadline passes it
 *    sets `Request.DEADLINE`, and the next check calls `trap()`, which calls the handler below.
 *    It is the native addon's (@trapdoor-js/native's `startDeadlineWatcher`, a plain pthread,
 *    which arming wakes with one call) where the addon loads, else a worker running
 *    deadline-watcher.ts (unref'd, it never keeps the process alive; it waits on the generation
 *    word). Starting a Worker costs a process about 20 ms of CPU, once per test process: the
 *    whole cost of `trapdoor test` in a suite of many small files.
 *  - The error is thrown once; the deadline is then re-armed for `graceMs`. Code that catches the
 *    error and keeps spinning is stopped again when that passes; code that catches it and returns
 *    (a `finally`, the test's own cleanup) runs normally. `disarmDeadline()` ends it: nothing
 *    runs into a deadline after the test ended.
 *  - While a debugger client is attached (`trapdoor attach`), a deadline that passes is postponed
 *    by its full length, again and again until the last client leaves: a developer looking at a
 *    hung test does not have it killed under them.
 *
 * For a test that waits rather than spins (an await that never settles), the runner's own timer
 * fires as usual; arm with the runner's timeout (or a little more) and let the runner report it.
 */
import type { Worker } from 'node:worker_threads';
import { controlBlock, Request, Word } from './control-block.js';
import { loadNativeAddon } from './native-addon.js';
import { readEnv } from './permissions.js';
import { detectRuntime } from './runtime-name.js';
import { isMainThread, workerThreads } from './threads.js';
import { setDeadlineHandler } from './trap.js';
import type { ModuleThunk } from './modules.js';
import { watchDeadline, type WatcherLayout } from './deadline-watcher.js';
import { stuckError } from './stuck-error.js';

export { StuckError, STUCK_ERROR_CODE } from './stuck-error.js';
export type { StuckLocation, StuckFrame } from './stuck-error.js';

export interface DeadlineOptions {
  /**
   * The first line of the error's message: the runner's own words for a timeout, e.g.
   * 'Test timed out in 5000ms.' (Vitest). Default: `Timed out after <ms> ms.`
   */
  message?: string;
  /**
   * After the error is thrown, how long (ms) code that catches it may run before it is stopped
   * again by the next one. Default 250.
   */
  graceMs?: number;
  /**
   * Whose frames the error's `stack` shows below the top one (which is always the stuck check's
   * original position). 'original': the runtime maps them to the original sources itself, as the
   * debugger does. 'engine': the stack as the engine writes it at the stuck check (without the
   * runtime's frames), for environments that map stacks themselves and know maps the runtime does
   * not (Vitest's module runner after Vite's SSR transform): there an error the test threw itself
   * would show those frames. Default: 'engine' where something maps stacks (a `prepareStackTrace`
   * that is not the engine's own, or source maps on: Node's --enable-source-maps, Deno), else
   * 'original'.
   */
  stack?: 'original' | 'engine';
}

/** `error.code` of a bad argument to armDeadline. */
export const BAD_DEADLINE_CODE = 'ERR_TRAPDOOR_DEADLINE';
/** `error.code` when the watcher thread cannot be started (armDeadline throws it). */
export const WATCHER_FAILED_CODE = 'ERR_TRAPDOOR_DEADLINE_WATCHER';

const DEFAULT_GRACE_MS = 250;
const TWO_32 = 4294967296;
/** Longer is as good as never (setTimeout's limit too, about 24.8 days). */
const MAX_MS = 2 ** 31 - 1;

interface DeadlineState {
  /** What the armed deadline was armed with (for the message and a postponement). */
  ms: number;
  message: string;
  graceMs: number;
  stack: 'original' | 'engine' | undefined;
  armed: boolean;
  watcher: Worker | undefined;
  /** The native watcher's wake-up (instead of `watcher`), once started. */
  wake?: (() => void) | undefined;
  /** Why the watcher could not start or stopped, once it happened. */
  watcherProblem: string | undefined;
}

// One state per thread, shared by every copy of the runtime in it (ESM and CommonJS builds), as
// the control block is: they must share one watcher.
const KEY = Symbol.for('trapdoor.deadline');
type Holder = { [KEY]?: DeadlineState };
const state: DeadlineState = ((globalThis as Holder)[KEY] ??= { ms: 0, message: '', graceMs: DEFAULT_GRACE_MS, stack: undefined, armed: false, watcher: undefined, watcherProblem: undefined });

const LAYOUT: WatcherLayout = {
  request: Word.REQUEST,
  seq: Word.DEADLINE_SEQ,
  atHigh: Word.DEADLINE_AT_HIGH,
  atLow: Word.DEADLINE_AT_LOW,
  fired: Word.DEADLINE_FIRED,
  bit: Request.DEADLINE,
};

/**
 * Arms this thread's deadline `ms` milliseconds from now, replacing any armed one. `0` or
 * `Infinity` arm none (and disarm), as runners read a timeout of 0. Throws a TypeError (code
 * ERR_TRAPDOOR_DEADLINE) for anything else that is not a positive number, and an Error (code
 * ERR_TRAPDOOR_DEADLINE_WATCHER) when the watcher thread cannot be started.
 */
export function armDeadline(ms: number, options: DeadlineOptions = {}): void {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw badArgument(`armDeadline: ms must be a number of milliseconds >= 0, got ${describe(ms)}`);
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  if (typeof graceMs !== 'number' || !Number.isFinite(graceMs) || graceMs <= 0) throw badArgument(`armDeadline: options.graceMs must be a positive number of milliseconds, got ${describe(graceMs)}`);
  if (options.stack !== undefined && options.stack !== 'original' && options.stack !== 'engine') throw badArgument(`armDeadline: options.stack must be 'original' or 'engine', got ${describe(options.stack)}`);
  if (options.message !== undefined && typeof options.message !== 'string') throw badArgument(`armDeadline: options.message must be a string, got ${describe(options.message)}`);
  if (ms === 0 || ms === Infinity) {
    disarmDeadline();
    return;
  }
  ensureWatcher();
  state.ms = ms;
  state.message = options.message ?? `Timed out after ${ms} ms.`;
  state.graceMs = graceMs;
  state.stack = options.stack;
  state.armed = true;
  write(Date.now() + Math.min(ms, MAX_MS));
}

/** Disarms this thread's deadline (nothing happens when none is armed). Cheap: a few atomic writes. */
export function disarmDeadline(): void {
  if (!state.armed) return;
  state.armed = false;
  write(0);
}

/** Whether a deadline is armed on this thread (and not disarmed; it stays armed after it fired until disarmed). */
export function isDeadlineArmed(): boolean {
  return state.armed;
}

/** Writes a deadline time (0: none) and wakes the watcher. */
function write(at: number): void {
  const block = controlBlock;
  // A bit of the deadline before: not for this one (the trap also checks the generation).
  Atomics.and(block, Word.REQUEST, ~Request.DEADLINE);
  const when = Math.ceil(at);
  Atomics.store(block, Word.DEADLINE_AT_HIGH, Math.floor(when / TWO_32));
  Atomics.store(block, Word.DEADLINE_AT_LOW, when % TWO_32 | 0);
  Atomics.add(block, Word.DEADLINE_SEQ, 1);
  // The native watcher is woken by a call, only for a new deadline: after a disarm it wakes at the
  // old time, finds none and waits again (a test that ends in time costs it no wake-up).
  if (state.wake !== undefined) {
    if (at !== 0) state.wake();
  } else Atomics.notify(block, Word.DEADLINE_SEQ);
}

/** The check that saw `Request.DEADLINE` (trap.ts). Throws the StuckError, or returns when there is nothing to throw. */
function onDeadline(thunk: ModuleThunk, site: number, locals: unknown[]): void {
  const block = controlBlock;
  // Clear first, then look: a deadline that passes from here on sets the bit again.
  Atomics.and(block, Word.REQUEST, ~Request.DEADLINE);
  if (!state.armed || Atomics.load(block, Word.DEADLINE_FIRED) !== Atomics.load(block, Word.DEADLINE_SEQ)) return; // stale: re-armed or disarmed since
  if (debuggerAttached()) {
    write(Date.now() + state.ms);
    return;
  }
  // Built before the grace starts: the first one loads the frame mapper, which can take longer
  // than the grace on a busy machine, and the grace is for the code that catches the error.
  const error = stuckError(state.message, thunk, site, locals, state.stack);
  write(Date.now() + state.graceMs);
  throw error;
}

setDeadlineHandler(onDeadline);

/** Whether a debugger client is attached to this thread (activation.ts keeps the protocol agent under this key). */
function debuggerAttached(): boolean {
  const inspector = (globalThis as { [key: symbol]: unknown })[Symbol.for('trapdoor.inspector')] as { closed?: boolean; sessions?: Map<unknown, unknown> } | undefined;
  return inspector !== undefined && inspector.closed !== true && (inspector.sessions?.size ?? 0) > 0;
}

// The watcher's source: watchDeadline itself, run with this thread's block (see deadline-watcher.ts).
const WATCHER_SOURCE = `'use strict';
const { workerData } = require('node:worker_threads');
(${watchDeadline.toString()})(workerData.block, workerData.layout);
`;

/**
 * The native watcher's wake-up, or undefined where it cannot start (no addon, Deno without
 * --allow-ffi, an addon built before it had one): then the worker. On Bun and Deno only on the
 * main thread, which ends with the process: a worker's end there is not known to run the addon's
 * cleanup, which stops the thread before the worker's memory goes. `TRAPDOOR_DEADLINE_WATCHER=worker`
 * chooses the worker (for tests).
 */
function nativeWatcher(): (() => void) | undefined {
  if (readEnv('TRAPDOOR_DEADLINE_WATCHER') === 'worker') return undefined;
  if (detectRuntime().name !== 'node.js' && !isMainThread) return undefined;
  const native = loadNativeAddon('the native deadline watcher');
  if (typeof native === 'string' || typeof native.startDeadlineWatcher !== 'function') return undefined;
  try {
    return native.startDeadlineWatcher(controlBlock, LAYOUT);
  } catch {
    return undefined;
  }
}

/** Which watcher this thread's deadlines use: 'native', 'worker', or undefined before the first arm (for tests). */
export function deadlineWatcherKind(): 'native' | 'worker' | undefined {
  return state.wake !== undefined ? 'native' : state.watcher !== undefined ? 'worker' : undefined;
}

function ensureWatcher(): void {
  if (state.watcher !== undefined || state.wake !== undefined) return;
  if (state.watcherProblem !== undefined) throw watcherFailed(state.watcherProblem);
  const wake = nativeWatcher();
  if (wake !== undefined) {
    state.wake = wake;
    return;
  }
  let worker: Worker;
  try {
    worker = new (workerThreads().Worker)(WATCHER_SOURCE, {
      eval: true,
      workerData: { block: controlBlock, layout: LAYOUT },
      // Not the program's flags: a loader or --import given to the process has nothing to do here.
      execArgv: [],
      stdout: false,
      stderr: false,
    });
  } catch (error) {
    state.watcherProblem = error instanceof Error ? error.message : String(error);
    throw watcherFailed(state.watcherProblem);
  }
  worker.on('error', (error: unknown) => {
    // Deadlines armed from now on would not be enforced: the next armDeadline says so.
    if (state.watcher === worker) state.watcher = undefined;
    state.watcherProblem = error instanceof Error ? error.message : String(error);
  });
  worker.on('exit', () => {
    if (state.watcher === worker) state.watcher = undefined; // terminated from outside: the next arm starts another
  });
  worker.unref();
  state.watcher = worker;
}

function badArgument(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: BAD_DEADLINE_CODE });
}

function watcherFailed(problem: string): Error {
  return Object.assign(new Error(`trapdoor: cannot start the deadline watcher thread: ${problem}`), { code: WATCHER_FAILED_CODE });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
