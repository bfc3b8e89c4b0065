import { afterEach, beforeEach, describe, expect, test } from 'vitest';

const log: string[] = [];

describe('a stuck beforeEach', () => {
  beforeEach(() => {
    let spins = 0;
    while (spins >= 0) spins++;
  }, 300);

  afterEach(() => {
    log.push('afterEach ran');
  });

  test('fails as its hook timed out', () => {
    log.push('the test body ran');
  });
});

test('the hooks after it run as usual', () => {
  expect(log).toEqual(['afterEach ran']);
});
