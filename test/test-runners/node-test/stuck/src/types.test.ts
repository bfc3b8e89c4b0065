import { test } from 'node:test';
import assert from 'node:assert/strict';

interface Box {
  value: number;
}

function spinOn(box: Box): never {
  for (;;) {
    box.value++;
  }
}

test('passes in TypeScript', () => {
  const box: Box = { value: 1 };
  assert.equal(box.value, 1);
});

test('spins in TypeScript', { timeout: 500 }, () => {
  spinOn({ value: 0 });
});
