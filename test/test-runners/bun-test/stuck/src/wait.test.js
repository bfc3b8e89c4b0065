import { expect, test } from 'bun:test';

function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
}

test('a short busy wait passes', () => {
  busyWait(5);
  expect(1).toBe(1);
});

test('busy-waits on Date.now() past its timeout', () => {
  busyWait(1e9);
}, 300);

test('loops inside an Array.prototype.some callback', () => {
  [1, 2, 3].some((n) => {
    for (;;) {
      if (n > 5) return true;
    }
  });
});
