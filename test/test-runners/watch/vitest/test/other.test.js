import { expect, test } from 'vitest';
import { sum } from '../src/sum.js';

test('other', () => {
  expect(sum(3)).toBe(3); // edit: 0
});
