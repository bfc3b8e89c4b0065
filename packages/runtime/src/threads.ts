/**
 * Which thread this is, and node:worker_threads only when a thread is to be started or named.
 *
 * Not imported at load because on Bun that import alone costs an idle process about 5 MiB
 * resident (4.4 MiB of Bun's own code paged in, 0.7 MiB private, one more thread; measured with
 * bench/startup.mjs's memory rows), and every instrumented process loads the runtime. Bun says
 * whether this is the main thread itself (`Bun.isMainThread`) and its global BroadcastChannel is
 * worker_threads' one. On Deno the main thread is told without it (its global object is a `Window`, a
 * worker's of either kind is not: denoMain below), and its global BroadcastChannel reaches every
 * thread (worker_threads' extends it); the main thread's registry channel must be unref'd
 * (thread-registry.ts), which the global one can be through the Deno-internal method that
 * worker_threads' own subclass calls (unrefableDenoChannel below). So on Deno the module is loaded
 * in a worker only (for its threadId), and a main thread loads none of it (1.3 MiB resident).
 * On Node the main thread is told without it too (nodeMain below): loading it is about 3 ms of
 * CPU (its message ports, diagnostics_channel, error serialisation), paid by every process, every
 * test file's fork under `trapdoor test` among them; Node loads it into each worker before the
 * worker's first line runs, where asking it costs nothing. Node's main thread opens its registry
 * channel at its first worker (thread-registry.ts).
 */
type WorkerThreads = typeof import('node:worker_threads');

const bun = (globalThis as { Bun?: { isMainThread?: boolean } }).Bun;

/** node:worker_threads, loaded on first use (synchronously: callers may be inside a busy loop). */
export function workerThreads(): WorkerThreads {
  return process.getBuiltinModule('node:worker_threads');
}

/**
 * Deno's main thread is the one whose global object is a Window (a worker's, of either kind, is
 * not; @trapdoor-js/native tells it the same way): a production debug build that is never armed
 * loads no part of Deno's Node layer for it. In a worker, node:worker_threads' answer.
 */
const denoMain = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' && typeof (globalThis as { Window?: unknown }).Window === 'function' && globalThis instanceof (globalThis as unknown as { Window: new () => object }).Window;

/**
 * Node: the main thread is one into which node:worker_threads and its internals were not loaded
 * (`process.moduleLoadList`, the built-ins this thread has loaded). Node's worker bootstrap loads
 * all three names below before the worker's own code runs (a worker's parentPort is
 * internal/worker/io's, its isMainThread internal/worker's): a thread that has one loaded is
 * asked through the module itself, which is then loaded already (also the main thread of a program
 * that loaded it first), and so is a Node without that list. Never wrong in a worker, and exact.
 */
function nodeMain(): boolean {
  const loaded = (process as { moduleLoadList?: unknown }).moduleLoadList;
  if (!Array.isArray(loaded)) return workerThreads().isMainThread;
  if (['NativeModule worker_threads', 'NativeModule internal/worker', 'NativeModule internal/worker/io'].some((name) => loaded.includes(name))) return workerThreads().isMainThread;
  return true;
}

/** Whether this is the process's main thread. */
export const isMainThread: boolean = typeof bun?.isMainThread === 'boolean' ? bun.isMainThread : denoMain || (typeof (globalThis as { Deno?: unknown }).Deno === 'undefined' ? nodeMain() : workerThreads().isMainThread);

/** The BroadcastChannel class that reaches every thread of the process. */
export function broadcastChannel(): WorkerThreads['BroadcastChannel'] {
  if (bun !== undefined && typeof globalThis.BroadcastChannel === 'function') return globalThis.BroadcastChannel as unknown as WorkerThreads['BroadcastChannel'];
  return (denoChannel ??= unrefableDenoChannel()) ?? workerThreads().BroadcastChannel;
}

let denoChannel: WorkerThreads['BroadcastChannel'] | undefined;

/**
 * Deno's global BroadcastChannel with worker_threads' unref(): the same Deno-internal method
 * worker_threads' subclass calls (found by its symbol's description), so that the main thread's
 * registry needs no node:worker_threads (1.3 MiB resident). Undefined elsewhere, or where Deno no
 * longer has that method (then worker_threads').
 */
function unrefableDenoChannel(): WorkerThreads['BroadcastChannel'] | undefined {
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (!denoMain || typeof Channel !== 'function') return undefined;
  const ref = Object.getOwnPropertySymbols(Channel.prototype).find((symbol) => symbol.description === 'refBroadcastChannel');
  if (ref === undefined || typeof (Channel.prototype as unknown as Record<symbol, unknown>)[ref] !== 'function') return undefined;
  class UnrefableChannel extends Channel {
    ref(): void {
      (this as unknown as Record<symbol, (refed: boolean) => void>)[ref!]!(true);
    }
    unref(): void {
      (this as unknown as Record<symbol, (refed: boolean) => void>)[ref!]!(false);
    }
  }
  return UnrefableChannel as unknown as WorkerThreads['BroadcastChannel'];
}

/** This thread's `worker_threads.threadId` (0 on the main thread). */
export function threadId(): number {
  return isMainThread ? 0 : workerThreads().threadId;
}
