/**
 * Which thread this is, and node:worker_threads only when a thread is to be started or named.
 *
 * Not imported at load because on Bun that import alone costs an idle process about 5 MiB
 * resident (4.4 MiB of Bun's own code paged in, 0.7 MiB private, one more thread; measured with
 * bench/startup.mjs's memory rows), and every instrumented process loads the runtime. Bun says
 * whether this is the main thread itself (`Bun.isMainThread`) and its global BroadcastChannel is
 * worker_threads' one. On Node and Deno the module is loaded at once as before (on Node it is
 * part of the bootstrap already). On Deno the main thread could be told without it (its global
 * object is a `Window`, a worker's of either kind is not) and its global BroadcastChannel reaches
 * every thread (worker_threads' extends it), but the main thread's registry channel must be
 * unref'd (thread-registry.ts), which the global one cannot be but through a Deno-internal
 * symbol; and next to the Node layer the runtime loads anyway (node:fs, node:module: +8.5 MiB)
 * the module costs a Deno process only about 0.1 MiB (alone: 1.4 MiB).
 */
type WorkerThreads = typeof import('node:worker_threads');

const bun = (globalThis as { Bun?: { isMainThread?: boolean } }).Bun;

/** node:worker_threads, loaded on first use (synchronously: callers may be inside a busy loop). */
export function workerThreads(): WorkerThreads {
  return process.getBuiltinModule('node:worker_threads');
}

/** Whether this is the process's main thread. */
export const isMainThread: boolean = typeof bun?.isMainThread === 'boolean' ? bun.isMainThread : workerThreads().isMainThread;

/** The BroadcastChannel class that reaches every thread of the process. */
export function broadcastChannel(): WorkerThreads['BroadcastChannel'] {
  if (bun !== undefined && typeof globalThis.BroadcastChannel === 'function') return globalThis.BroadcastChannel as unknown as WorkerThreads['BroadcastChannel'];
  return workerThreads().BroadcastChannel;
}

/** This thread's `worker_threads.threadId` (0 on the main thread). */
export function threadId(): number {
  return isMainThread ? 0 : workerThreads().threadId;
}
