import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sum } from '../src/sum.js';

test('other', () => {
  assert.equal(sum(3), 3); // edit: 0
});
