import { describe, expect, test } from 'vitest';

// Concurrent tests interleave on one thread: each is held to its own timeout while its code runs.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
}

function spin(limit) {
  let i = 0;
  while (true) {
    i++;
    if (i === limit) i = 0;
  }
}

describe.concurrent('concurrent', () => {
  test('spins after an await, under a short timeout of its own', async () => {
    await sleep(10);
    spin(10);
  }, 300);

  test('is busy for a while after an await, under its own longer timeout', async () => {
    await sleep(20);
    busyWait(600);
    expect(1).toBe(1);
  }, 5000);

  test('waits past its own shorter timeout', async () => {
    await sleep(3000);
  }, 700);

  test('waits briefly and passes', async () => {
    await sleep(50);
  }, 5000);
});

test('runs after the concurrent ones', () => {
  expect(1 + 1).toBe(2);
});
