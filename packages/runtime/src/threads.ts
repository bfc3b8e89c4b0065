/**
 * Which thread this is, and node:worker_threads only when a thread is to be started or named.
 *
 * Not imported at load because on Bun that import alone costs an idle process about 5 MiB
 * resident (4.4 MiB of Bun's own code paged in, 0.7 MiB private, one more thread; measured with
 * bench/startup.mjs's memory rows), and every instrumented process loads the runtime. Bun says
 * whether this is the main thread itself (`Bun.isMainThread`) and its global BroadcastChannel is
 * worker_threads' one. On Node the module is loaded at once (it is part of the bootstrap
 * already). On Deno the main thread is told without it (its global object is a `Window`, a
 * worker's of either kind is not: denoMain below), and its global BroadcastChannel reaches every
 * thread (worker_threads' extends it), but the main thread's registry channel must be unref'd
 * (thread-registry.ts), which the global one cannot be but through a Deno-internal symbol; next
 * to the Node layer the signal watcher loads anyway (`require`, `process`) the module costs a
 * Deno process only about 0.1 MiB (alone: 1.4 MiB). So on Deno it is loaded when the registry
 * starts (an armed main thread) or in a worker, and a production build never armed loads none of it.
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

/** Whether this is the process's main thread. */
export const isMainThread: boolean = typeof bun?.isMainThread === 'boolean' ? bun.isMainThread : denoMain || workerThreads().isMainThread;

/** The BroadcastChannel class that reaches every thread of the process. */
export function broadcastChannel(): WorkerThreads['BroadcastChannel'] {
  if (bun !== undefined && typeof globalThis.BroadcastChannel === 'function') return globalThis.BroadcastChannel as unknown as WorkerThreads['BroadcastChannel'];
  return workerThreads().BroadcastChannel;
}

/** This thread's `worker_threads.threadId` (0 on the main thread). */
export function threadId(): number {
  return isMainThread ? 0 : workerThreads().threadId;
}
