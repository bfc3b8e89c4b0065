import { describe, expect, test } from 'bun:test';
import { add, spinUntil } from './math';

describe('math', () => {
  test('adds', () => {
    expect(add(2, 3)).toBe(5);
  });

  test('spins in a while (true) loop', () => {
    for (let i = 0; i < 1000; i++) add(i, i);
    spinUntil(10);
  }, 500);

  test('still runs after the stuck one', () => {
    expect(add(1, 1)).toBe(2);
  });
});
