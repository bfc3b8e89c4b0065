const test = require('node:test');
const assert = require('node:assert/strict');

function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
}

test('a short busy wait passes', () => {
  busyWait(5);
  assert.ok(true);
});

test('busy-waits on Date.now() past its timeout', { timeout: 300 }, () => {
  busyWait(1e9);
});

test('loops inside an Array.prototype.some callback', { timeout: 500 }, () => {
  [1, 2, 3].some((n) => {
    for (;;) {
      if (n > 5) return true;
    }
  });
});
