import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { add, spinUntil } from './math.js';

describe('math', () => {
  test('adds', () => {
    assert.equal(add(2, 3), 5);
  });

  test('spins in a while (true) loop', { timeout: 500 }, () => {
    for (let i = 0; i < 1000; i++) add(i, i);
    spinUntil(10);
  });

  test('still runs after the stuck one', () => {
    assert.equal(add(1, 1), 2);
  });
});
