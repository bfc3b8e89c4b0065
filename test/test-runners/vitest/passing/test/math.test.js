import { describe, expect, test } from 'vitest';
import { doubled, fib, sum } from '#math';

describe('math', () => {
  test('sum', () => {
    expect(globalThis.setupRan).toBe(true);
    expect(sum([1, 2, 3])).toBe(6);
    expect(doubled([1, 2])).toEqual([2, 4]);
  });
  test('fib', () => {
    expect(fib(15)).toBe(610);
  });
  test('snapshot', () => {
    expect({ total: sum([4, 5]) }).toMatchInlineSnapshot(`
      {
        "total": 9,
      }
    `);
  });
});
