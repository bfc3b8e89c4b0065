const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('awaits', async () => {
  let total = 0;
  for (let i = 0; i < 3; i++) {
    await sleep(1);
    total += i;
  }
  expect(total).toBe(3);
});

test('takes done', (done) => {
  setTimeout(() => {
    expect(1 + 1).toBe(2);
    done();
  }, 1);
});
