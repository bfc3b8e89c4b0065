import { expect, test } from 'bun:test';

test('passes in another file', () => {
  expect([1, 2, 3].map((n) => n * 2)).toEqual([2, 4, 6]);
});
