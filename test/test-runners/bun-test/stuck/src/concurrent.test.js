import { test } from 'bun:test';

// Concurrent tests: one that ends first must not take the deadline of one still running.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function spin(limit) {
  let i = 0;
  while (true) {
    i++;
    if (i === limit) i = 0;
  }
}

test.concurrent('ends before the other one spins', async () => {
  await sleep(10);
});

test.concurrent('spins after the other one ended', async () => {
  await sleep(100);
  spin(3);
}, 500);
