function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
}

test('a short busy wait passes', () => {
  busyWait(20);
});

test('busy-waits on Date.now() past its own timeout', () => {
  busyWait(60_000);
}, 300);

test('loops inside an Array.prototype.some callback', () => {
  [1, 2, 3].some((n) => {
    for (;;) n++;
  });
});
