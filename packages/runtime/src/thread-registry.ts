/**
 * Thread registry: how `trapdoor attach <pid>` reaches a busy WORKER thread of a process whose
 * main thread owns the activation trigger (activation-triggers.ts).
 *
 * Each worker thread that loads the runtime posts its control block (a SharedArrayBuffer view)
 * to the main thread on a BroadcastChannel, once. When the process is activated from outside,
 * the main thread ORs `Request.ACTIVATE` into every registered block: a busy worker traps at
 * its next check and activates its own agent (any free port, it is not the process's port); an
 * idle worker runs no check and stays as it is. The worker then posts its debugger's address,
 * and the main thread lists it in the state file's `threads` (discovery.ts), which
 * `trapdoor attach` and `trapdoor stack` read.
 *
 * Messages instead of a shared registry buffer: a worker's control block is its own
 * SharedArrayBuffer (control-block.ts), which only a message can hand to another thread, and
 * BroadcastChannel needs no handle to the Worker object (the program created it). The main
 * thread's channel is unref'd: it never keeps the process alive.
 */
import type { BroadcastChannel } from 'node:worker_threads';
import { broadcastChannel, isMainThread, threadId } from './threads.js';
import type { ActiveDebugger, ThreadDebugger } from './discovery.js';
import { Request, Word } from './control-block.js';
import { denoProcess, useProcess, whenProcessUsed } from './host-process.js';

const CHANNEL = 'trapdoor.thread-registry';
const KEY = Symbol.for('trapdoor.thread-registry');

type Message =
  | { type: 'hello'; threadId: number; control: Int32Array }
  | { type: 'active'; threadId: number; active: ActiveDebugger }
  | { type: 'bye'; threadId: number };

interface MainSide {
  channel: BroadcastChannel;
  blocks: Map<number, Int32Array>;
  /** Whether an activation asked the workers: only then is the state file kept up to date. */
  asked: boolean;
  publish: () => void;
}
/** MainSide once listening; WAITING on Node's main thread until its first worker; true in a registered worker. */
const WAITING = 'waiting';
type Holder = { [KEY]?: MainSide | true | typeof WAITING };
const holder = globalThis as Holder;

type WorkerSeen = { threadId: number; once(event: 'exit', listener: () => void): unknown };

/**
 * Node's main thread listens from its first worker on, not from the start: opening the channel
 * costs every process about 1 ms of CPU (node:worker_threads' message port machinery), and most
 * processes (each test file's fork under `trapdoor test`) never start a thread. Node emits
 * 'worker' on the next tick after `new Worker()`, long before the new thread has started Node and
 * loaded the runtime that says hello. (A main thread that spins right after creating the worker
 * would not have read the hello either: messages arrive through its event loop.) Bun and Deno
 * listen from the start: their 'worker' event is not known to come first (Deno's needs `process`).
 */
const untilFirstWorker = !denoProcess && typeof (globalThis as { Bun?: unknown }).Bun === 'undefined';

/**
 * Main thread: starts listening for the workers (once). `onChange` gets the workers' debuggers
 * and how many workers are registered, whenever that changes.
 */
export function serveThreadRegistry(onChange: (threads: ThreadDebugger[], workers: number) => void): void {
  if (!isMainThread || holder[KEY] !== undefined) return;
  if (!untilFirstWorker) {
    listen(onChange);
    return;
  }
  holder[KEY] = WAITING;
  const onFirstWorker = (worker: WorkerSeen): void => {
    process.off('worker', onFirstWorker);
    // This worker's 'worker' event is being emitted: the listener added by listen() sees the next ones.
    listen(onChange)(worker);
  };
  process.on('worker', onFirstWorker);
}

/** Starts listening for the workers; returns what watches one worker's exit. */
function listen(onChange: (threads: ThreadDebugger[], workers: number) => void): (worker: WorkerSeen) => void {
  const threads = new Map<number, ThreadDebugger>();
  const side: MainSide = { channel: new (broadcastChannel())(CHANNEL), blocks: new Map(), asked: false, publish: () => onChange([...threads.values()], side.blocks.size) };
  holder[KEY] = side;
  // Until an activation asks the workers, a message only updates the map: no state-file write on
  // the main thread for every worker that starts or ends (a program's own timing between its
  // workers' messages and exits stays as it was; measured: writing here made test/corpus/worker.mjs,
  // which attaches an 'exit' listener only after the worker's message, miss the exit 1 run in 5).
  side.channel.onmessage = (event: unknown) => {
    const message = (event as { data: Message }).data;
    if (message.type === 'hello') {
      if (side.blocks.size === 0) useProcess(); // Deno: watch for workers' exits from now on at least
      side.blocks.set(message.threadId, message.control);
      if (!side.asked) return;
    } else if (message.type === 'active') {
      if (!side.blocks.has(message.threadId)) return; // late, from a thread that has exited
      threads.set(message.threadId, { threadId: message.threadId, ...message.active });
    } else if (message.type === 'bye' && (!forget(message.threadId) || !side.asked)) return; // already gone (its exit seen first), or nothing published
    side.publish();
  };
  /** Drops a thread; false when it was not registered. */
  const forget = (id: number): boolean => {
    const known = side.blocks.has(id) || threads.has(id);
    side.blocks.delete(id);
    threads.delete(id);
    return known;
  };
  const watchExit = (worker: WorkerSeen): void => {
    const id = worker.threadId;
    worker.once('exit', () => {
      if (forget(id) && side.asked) side.publish();
    });
  };
  // A terminated worker (worker.terminate(), as pools do) runs no 'exit' handler to say bye: the
  // main thread sees the workers it creates ('worker' event; Node, Bun and Deno) and when they exit.
  // On Deno from when `process` is first used (host-process.ts: loading it costs an idle process
  // 3.3 MiB), by the program or at the first worker's hello: a worker that was created before and
  // is terminated is forgotten only when its hello came after (its bye, on a plain exit, is seen).
  whenProcessUsed((process) => process.on?.('worker', watchExit));
  // Node: unref() keeps an idle program from being held open by the registry.
  (side.channel as { unref?: () => void }).unref?.();
  return watchExit;
}

/** Main thread: how many worker threads are registered now. */
export function registeredWorkers(): number {
  const side = holder[KEY];
  return typeof side === 'object' ? side.blocks.size : 0;
}

/**
 * Main thread: asks every registered worker to activate at its next check; returns how many there
 * are. The first call also starts keeping the state file's `workers` and `threads` up to date.
 */
export function requestWorkerActivation(): number {
  const side = holder[KEY];
  if (typeof side !== 'object') return 0;
  for (const control of side.blocks.values()) Atomics.or(control, Word.REQUEST, Request.ACTIVATE);
  if (!side.asked) {
    side.asked = true;
    side.publish(); // how many workers `trapdoor attach` should wait for
  }
  return side.blocks.size;
}

/** Worker thread: registers this thread's control block with the main thread (once). */
export function registerThisThread(control: Int32Array): void {
  if (isMainThread || holder[KEY] !== undefined) return;
  holder[KEY] = true;
  const id = threadId();
  post({ type: 'hello', threadId: id, control });
  // Best effort: a thread that exits without saying so leaves a block no one reads (harmless)
  // and an address that no longer answers (trapdoor attach checks).
  process.once('exit', () => post({ type: 'bye', threadId: id }));
}

/** Worker thread: tells the main thread where this thread's debugger listens. */
export function announceThreadActivation(active: ActiveDebugger): void {
  if (isMainThread || holder[KEY] !== true) return;
  post({ type: 'active', threadId: threadId(), active });
}

function post(message: Message): void {
  try {
    const channel = new (broadcastChannel())(CHANNEL);
    channel.postMessage(message);
    channel.close();
  } catch {
    // No main-thread listener to reach (a runtime without BroadcastChannel): the worker stays unreachable.
  }
}
