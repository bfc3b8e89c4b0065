import { test } from 'bun:test';

function spin(limit) {
  let i = 0;
  while (true) {
    i++;
    if (i === limit) i = 0;
  }
}

test('spins with no timeout of its own', () => {
  for (let i = 0; i < 1000; i++) i % 2;
  spin(10);
});

test('passes after it', () => {});
