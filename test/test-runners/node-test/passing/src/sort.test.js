import { beforeEach, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';

function insertionSort(values) {
  const out = [...values];
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && out[j - 1] > out[j]; j--) [out[j - 1], out[j]] = [out[j], out[j - 1]];
  }
  return out;
}

describe('insertionSort', () => {
  let input;
  beforeEach(() => {
    input = [3, 1, 2];
  });

  it('sorts', { timeout: 2000 }, () => {
    assert.deepEqual(insertionSort(input), [1, 2, 3]);
  });

  it('keeps its input', () => {
    insertionSort(input);
    assert.deepEqual(input, [3, 1, 2]);
  });
});

test('subtests', async (t) => {
  await t.test('first', () => assert.equal(1 + 1, 2));
  await t.test('second, async', { timeout: 1000 }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(true);
  });
});
