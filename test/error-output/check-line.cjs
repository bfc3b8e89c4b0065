const limit = 2;
function check(x) { if (x > limit) throw new RangeError(`too big: ${x}`) }
for (let i = 0; i < 5; i++) {
  check(i);
}
