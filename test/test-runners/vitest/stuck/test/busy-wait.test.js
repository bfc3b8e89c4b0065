import { expect, test } from 'vitest';

test('waits busily on Date.now()', () => {
  const until = Date.now() + 3_600_000;
  let polls = 0;
  while (Date.now() < until) polls++;
  expect(polls).toBeGreaterThan(0);
}, 700);

test('passes in the same file', () => {
  expect([1, 2, 3].map((n) => n * 2)).toEqual([2, 4, 6]);
});
