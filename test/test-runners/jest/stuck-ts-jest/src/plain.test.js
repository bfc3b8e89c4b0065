// JavaScript in a project whose transform names only .ts files: Jest loads it as it is.
function countDown(from) {
  let n = from;
  while (n !== 0) n = n > 0 ? n - 2 : n + 2;
  return n;
}

test('counts down from an even number', () => {
  expect(countDown(10)).toBe(0);
});

test('never reaches zero from an odd one', () => {
  countDown(7);
});
