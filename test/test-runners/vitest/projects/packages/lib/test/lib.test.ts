import { expect, test } from 'vitest';

test('lib passes', () => {
  expect([1, 2].length).toBe(2);
});
