import { expect, test } from 'vitest';

test('lib passes', () => {
  expect([1, 2].length).toBe(2);
});

test('lib is stuck', () => {
  let spins = 0;
  while (spins >= 0) spins++;
});
