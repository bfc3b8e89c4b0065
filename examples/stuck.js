// An example program that gets stuck: a search whose exit condition is never met.
// `npm run demo` runs it with `trapdoor run`, then attaches a debugger from outside.
function collatzSteps(start) {
  let n = start;
  let steps = 0;
  while (n !== 1) {
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;
    steps++;
  }
  return steps;
}

function findLongest(limit) {
  let best = { start: 1, steps: 0 };
  for (let start = 1; start < limit; start++) {
    const steps = collatzSteps(start);
    if (steps > best.steps) best = { start, steps };
  }
  return best;
}

console.log('longest below 10000:', findLongest(10000));

// The bug: this condition can never become true, so the loop spins forever.
let attempts = 0;
let found = null;
while (found === null) {
  attempts++;
  const candidate = (attempts * 7919) % 1000003;
  if (candidate < 0) found = candidate;
}
console.log('found', found);
