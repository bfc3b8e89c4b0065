import { expect, test } from 'vitest';

function check(values: number[]) { for (const v of values) { if (v > 2) { expect(v).toBe(2); } } }

test('fails an assertion inside a loop', () => {
  check([1, 2, 3]);
});

test('throws from a callback', () => {
  [1].forEach(() => {
    throw new TypeError('bad ' + 'thing');
  });
});

test('passes', () => {
  expect({ a: [1, 2] }).toEqual({ a: [1, 2] });
});
