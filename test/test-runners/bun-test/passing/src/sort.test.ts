import { beforeEach, describe, expect, it, test } from 'bun:test';

function insertionSort(values: number[]): number[] {
  const out = [...values];
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && out[j - 1]! > out[j]!; j--) [out[j - 1], out[j]] = [out[j]!, out[j - 1]!];
  }
  return out;
}

describe('insertionSort', () => {
  let input: number[] = [];
  beforeEach(() => {
    input = [3, 1, 2];
  });

  it('sorts', () => {
    expect(insertionSort(input)).toEqual([1, 2, 3]);
  }, 2000);

  it('keeps its input', () => {
    insertionSort(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

test.each([
  [1, 2, 3],
  [2, 2, 4],
])('adds %d and %d', (a, b, sum) => {
  expect(a + b).toBe(sum);
});

test('awaits', async () => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(true).toBe(true);
});

test('takes done', (done) => {
  setTimeout(() => done(), 1);
});

test.skip('is skipped', () => {
  throw new Error('not run');
});

test('says whether it runs instrumented', () => {
  // For the end-to-end test: trapdoor's checks show in the function's source (its results are the same either way).
  console.log(`instrumented: ${String(insertionSort).includes('__td')}`);
});
