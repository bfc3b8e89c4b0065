import { beforeAll, describe, expect, test } from 'bun:test';

function spin() {
  let turns = 0;
  for (;;) turns++;
}

describe('a stuck beforeAll hook', () => {
  beforeAll(() => {
    spin();
  }, 300);

  test('is not run', () => {
    expect(true).toBe(true);
  });
});

test('passes after it', () => {
  expect(2 * 2).toBe(4);
});
