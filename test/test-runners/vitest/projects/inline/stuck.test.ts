import { expect, test } from 'vitest';

test('passes', () => {
  expect(1).toBe(1);
});

test('stuck', () => {
  let spins = 0;
  for (;;) spins++;
});
