/**
 * The deadline watcher: the other thread's side of deadline.ts. It must run on another thread
 * because the thread it watches may be spinning in `while (true) {}`, where no timer of its own
 * can fire.
 *
 * One watcher per JS thread that arms a deadline, started on the first arm. It sleeps in
 * `Atomics.wait` on the thread's `Word.DEADLINE_SEQ` (with a timeout while a deadline is armed),
 * so arming and disarming cost the armed thread a few atomic writes and one `Atomics.notify`:
 * no message, no allocation. When the armed deadline passes it stores the generation in
 * `Word.DEADLINE_FIRED` and sets `Request.DEADLINE`; the thread's next check traps and throws.
 *
 * `watchDeadline` is started as the source of a worker (`eval: true`, deadline.ts), not from a
 * file: a bundled or relocated runtime has nothing to find on disk. So it must stay
 * self-contained: no imports, no outer bindings, nothing a compiler would turn into a helper call.
 */

/** The words and bit it uses (control-block.ts's values, passed in: the function has no imports). */
export interface WatcherLayout {
  request: number;
  seq: number;
  atHigh: number;
  atLow: number;
  fired: number;
  bit: number;
}

/** Runs forever on the watcher thread (the worker is unref'd and ends with its thread). */
export function watchDeadline(block: Int32Array, layout: WatcherLayout): never {
  const { request, seq: seqWord, atHigh, atLow, fired, bit } = layout;
  for (;;) {
    const seq = Atomics.load(block, seqWord);
    const at = Atomics.load(block, atHigh) * 4294967296 + (Atomics.load(block, atLow) >>> 0);
    // Written while we read (high, low and the generation are three stores): read again.
    if (Atomics.load(block, seqWord) !== seq) continue;
    if (at === 0) {
      Atomics.wait(block, seqWord, seq);
      continue;
    }
    const left = at - Date.now();
    if (left > 0) {
      Atomics.wait(block, seqWord, seq, left);
      continue;
    }
    // Passed. The generation first: the thread trusts the bit only while FIRED is the current one.
    Atomics.store(block, fired, seq);
    Atomics.or(block, request, bit);
    // Until the thread re-arms (the trap does, for the grace period) or disarms.
    Atomics.wait(block, seqWord, seq);
  }
}
