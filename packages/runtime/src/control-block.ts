/**
 * The per-thread control block: a few Int32 words in a SharedArrayBuffer that instrumented
 * code reads on every check, and that other threads (the native watcher, the agent worker)
 * write to ask this thread to come to the trap.
 *
 * One block per JS thread, kept on globalThis under a registered symbol so that every copy of
 * the runtime loaded into the thread (ESM and CommonJS builds, two installed versions) shares it.
 */

/** Word indices. Instrumented code depends on `REQUEST` and `SCRATCH`; the rest is runtime-private. */
export const Word = {
  /** Non-zero: some thread wants this thread in `trap()`. Bits are `Request.*`. */
  REQUEST: 0,
  /** Written by every check (the site index); keeps JavaScriptCore from hoisting the REQUEST load out of a loop. */
  SCRATCH: 1,
  /** 0 until the one activation that wins the race sets it to 1 (compare-exchange). */
  ACTIVATED: 2,
  /** Incremented and notified by the agent worker when it queued a message for this thread. */
  DOORBELL: 3,
  /** Status the agent reads: 0 running, 1 paused. */
  STATUS: 4,
  /**
   * The deadline (deadline.ts): a generation number, incremented (and notified) by every arm and
   * disarm; the watcher thread waits on it with a timeout.
   */
  DEADLINE_SEQ: 5,
  /** When the armed deadline passes, as `Date.now()` split in two words (high, low); 0, 0 when none is armed. */
  DEADLINE_AT_HIGH: 6,
  DEADLINE_AT_LOW: 7,
  /** The generation the watcher saw pass, stored before it sets `Request.DEADLINE` (a stale bit is told apart by it). */
  DEADLINE_FIRED: 8,
} as const;

/** Bits in `Word.REQUEST`. */
export const Request = {
  ACTIVATE: 1,
  MESSAGE: 2,
  PAUSE: 4,
  /**
   * Every check must come to the trap while a debugger needs to see every site: breakpoints are
   * set, or a step is pending. The trap returns at once for sites that do not concern it.
   */
  BREAK: 8,
  /** The armed deadline passed (set by the deadline watcher thread): the trap throws a StuckError. */
  DEADLINE: 16,
} as const;

const WORDS = 16;
const KEY = Symbol.for('trapdoor.control-block');

type Holder = { [KEY]?: Int32Array };

function obtain(): Int32Array {
  const holder = globalThis as Holder;
  let block = holder[KEY];
  if (block === undefined) {
    block = new Int32Array(new SharedArrayBuffer(WORDS * Int32Array.BYTES_PER_ELEMENT));
    Object.defineProperty(holder, KEY, { value: block, enumerable: false, configurable: false, writable: false });
  }
  return block;
}

/** This thread's control block. */
export const controlBlock: Int32Array = obtain();
