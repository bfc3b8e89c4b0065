import { expect, test } from 'vitest';

test('a folder without a config of its own', () => {
  const until = Date.now() + 3_600_000;
  while (Date.now() < until);
  expect(true).toBe(true);
}, 400);
