jest.setTimeout(400);

function spin() {
  let turns = 0;
  for (;;) turns++;
}

describe('a stuck beforeAll hook', () => {
  beforeAll(() => {
    spin();
  });

  test('is not run', () => {
    expect(true).toBe(true);
  });
});

test('takes done and spins before calling it', (done) => {
  spin();
  done();
});

test('passes after them', () => {
  expect(2 * 2).toBe(4);
});
