/**
 * The worker's end of the hand-off (handoff.ts describes both ends): what the agent worker
 * (agent-worker.ts) posts to the main thread and how it rings it. A file of its own so that the
 * worker does not load the main side (node:crypto, node:url, the worker's start-up options) on
 * the way from the signal to the banner: the worker's start is most of that time.
 */
import type { MessagePort } from 'node:worker_threads';
import { Request, Word } from '../../control-block.js';
import type { ErrorReport, ListeningReport, SessionEvent, SessionMessage, ToWorker } from './handoff.js';

/**
 * Control-block word used by the synchronous start (and nothing else): the main thread sets it to
 * `Startup.PENDING` and waits on it; the worker stores `LISTENING` or `FAILED` and notifies.
 * Index 15, the last word of the 16-word block, so it stays clear of the words `Word` names.
 */
export const STARTUP_WORD = 15;
/**
 * Control-block word used by `Agent.flush` (and nothing else): the main thread sets it to 0 and
 * waits on it; the worker stores 1 once every frame posted before the flush was written.
 */
export const FLUSH_WORD = 14;
export const Startup = { PENDING: 0, LISTENING: 1, FAILED: 2 } as const;

/** The worker's end of the hand-off. Used by agent-worker.ts only. */
export class WorkerEnd {
  readonly #control: Int32Array;
  readonly #port: MessagePort;

  constructor(control: Int32Array, port: MessagePort) {
    this.#control = control;
    this.#port = port;
  }

  /** Reports a successful start and wakes a main thread blocked in `startAgentSync`. */
  listening(report: Omit<ListeningReport, 'type'>): void {
    this.#report({ type: 'listening', ...report }, Startup.LISTENING);
  }

  /** Reports a failed start and wakes a main thread blocked in `startAgentSync`. */
  failed(code: string, message: string): void {
    this.#report({ type: 'error', code, message }, Startup.FAILED);
  }

  /** Reports a problem after the start (the main thread prints it). */
  error(code: string, message: string): void {
    this.#port.postMessage({ type: 'error', code, message } satisfies ErrorReport);
  }

  connect(session: number): void {
    this.#ring({ session, event: 'connect' });
  }

  message(session: number, message: string): void {
    this.#ring({ session, message });
  }

  disconnect(session: number): void {
    this.#ring({ session, event: 'disconnect' });
  }

  /** Everything posted before the flush was written: wakes a main thread blocked in `Agent.flush`. */
  flushed(): void {
    Atomics.store(this.#control, FLUSH_WORD, 1);
    Atomics.notify(this.#control, FLUSH_WORD);
  }

  /** Commands from the main thread (replies, events, close). */
  onCommand(handler: (command: ToWorker) => void): void {
    this.#port.on('message', handler);
  }

  close(): void {
    this.#port.close();
  }

  #report(report: ListeningReport | ErrorReport, state: number): void {
    this.#port.postMessage(report);
    Atomics.store(this.#control, STARTUP_WORD, state);
    Atomics.notify(this.#control, STARTUP_WORD);
  }

  #ring(message: SessionMessage | SessionEvent): void {
    this.#port.postMessage(message);
    Atomics.or(this.#control, Word.REQUEST, Request.MESSAGE);
    Atomics.add(this.#control, Word.DOORBELL, 1);
    Atomics.notify(this.#control, Word.DOORBELL);
  }
}

