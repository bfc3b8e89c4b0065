// Concurrent tests interleave on one thread: each one's timeout is its own, whichever started last.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
}

function spin(limit) {
  let i = 0;
  while (true) {
    i++;
    if (i === limit) i = 0;
  }
}

describe('concurrent', () => {
  test.concurrent('spins after an await, under a short timeout of its own', async () => {
    await sleep(10);
    spin(10);
  }, 300);

  test.concurrent('is busy for a while after an await, under its own longer timeout', async () => {
    await sleep(20);
    busyWait(600);
    expect(1).toBe(1);
  }, 3000);

  test.concurrent('waits briefly under a timeout shorter than the busy one’s', async () => {
    await sleep(100);
  }, 500);

  test.concurrent('starts last, waits, and passes', async () => {
    await sleep(50);
  });
});

test('runs after the concurrent ones', () => {
  expect(1 + 1).toBe(2);
});
