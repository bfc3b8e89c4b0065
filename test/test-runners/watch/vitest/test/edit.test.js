import { expect, test } from 'vitest';
import { sum } from '../src/sum.js';

test('edited', () => {
  const spin = false; // edit: 0
  while (spin) {}
  expect(sum(10)).toBe(45);
}, 1000);
