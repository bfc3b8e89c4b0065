// A concurrent test stuck from its first line, started before one with a longer timeout.
function spin(limit) {
  let i = 0;
  for (;;) {
    i++;
    if (i === limit) i = 0;
  }
}

test.concurrent('spins from its first line', async () => {
  spin(7);
}, 400);

test.concurrent('waits and passes', async () => {
  await new Promise((resolve) => setTimeout(resolve, 30));
}, 5000);
