// A busy loop that does work: searches Collatz sequences for ever, until a debugger sets `stop`.
function collatz(n) {
  let steps = 0;
  while (n !== 1) {
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;
    steps++;
  }
  return steps;
}

function search(limit) {
  let best = 0;
  let rounds = 0;
  let stop = false;
  while (!stop) {
    rounds++;
    for (let start = 1; start < limit; start++) {
      const steps = collatz(start);
      if (steps > best) best = steps;
    }
  }
  return { best, rounds };
}

console.log('spinning');
const found = search(300);
console.log(`best ${found.best} after ${found.rounds > 0 ? 'some' : 'no'} rounds`);
