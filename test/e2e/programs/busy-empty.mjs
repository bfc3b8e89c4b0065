// Warms up, then spins in a tight empty loop that only a debugger can end (by setting `done`).
function square(x) {
  return x * x;
}

function warmUp(rounds) {
  let total = 0;
  for (let i = 0; i < rounds; i++) total += square(i % 7);
  return total;
}

function spin(label) {
  const started = label.length;
  let done = false;
  let extra = 0;
  while (!done) {}
  return started + extra;
}

const warm = warmUp(200_000);
console.log(`warm ${warm}`);
console.log('spinning');
const result = spin('tight');
console.log(`result ${result}`);
