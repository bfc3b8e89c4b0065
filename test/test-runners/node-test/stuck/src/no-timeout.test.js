import { test } from 'node:test';

// No timeout option: node:test's default is none, so only --test-timeout (or trapdoor test --timeout) stops it.
test('spins without a timeout of its own', () => {
  let n = 0;
  while (n >= 0) n = (n + 1) % 1000;
});
