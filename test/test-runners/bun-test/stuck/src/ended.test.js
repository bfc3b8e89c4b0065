import { afterEach, describe, expect, test } from 'bun:test';

// A test's deadline ends with the test, however bun ends it: the tests after one that bun's own
// timer failed (it waits, its promise never settles) and a slow afterEach hook after a quick test
// keep their own time.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function busy(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
}

describe('after a waiting test bun timed out', () => {
  test('waits past its timeout', async () => {
    await sleep(1000);
  }, 200);

  test('is busy within its own timeout', () => {
    busy(300);
  }, 2000);
});

describe('a slow afterEach hook', () => {
  afterEach(() => {
    busy(300);
  }, 2000);

  test('after a quick test with a short timeout passes', () => {
    expect(1 + 1).toBe(2);
  }, 100);
});
