// Concurrent subtests share one thread: each must be held to its own timeout, not to the one of
// the sibling started last (nor to the shortest).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';

/** Busy (instrumented code, never yielding) for `ms`. */
function busyFor(ms) {
  const until = Date.now() + ms;
  let turns = 0;
  while (Date.now() < until) turns++;
  return turns;
}

describe('a describe with { concurrency: true }', { concurrency: true }, () => {
  test('busy within its own longer timeout', { timeout: 60_000 }, async () => {
    await delay(0);
    // Busy past the stuck sibling's 300 ms, which started after this one.
    assert.ok(busyFor(1500) > 0);
  });

  test('stuck, started last', { timeout: 300 }, async () => {
    await delay(50);
    let spins = 0;
    while (true) spins++;
  });
});

test('a test with { concurrency: true } and its subtests', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('stuck, started first', { timeout: 300 }, async () => {
      await delay(50);
      let n = 0;
      for (;;) n++;
    }),
    // Still waiting when its sibling gets stuck.
    t.test('waits within its own longer timeout', { timeout: 10_000 }, async () => {
      await delay(1000);
      assert.equal(1 + 1, 2);
    }),
  ]);
});

test('runs after them', () => {
  assert.equal(2 * 2, 4);
});
