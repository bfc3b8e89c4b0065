import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sum } from '../src/sum.js';

test('edited', { timeout: 1000 }, () => {
  const spin = false; // edit: 0
  while (spin) {}
  assert.equal(sum(10), 45);
});
