// Shared by the finite and the busy path: typed code the bundler has to compile.
export interface Longest {
  start: number;
  steps: number;
}

export function collatzSteps(start: number): number {
  let n = start;
  let steps = 0;
  while (n !== 1) {
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;
    steps++;
  }
  return steps;
}

export function findLongest(limit: number): Longest {
  let best: Longest = { start: 1, steps: 0 };
  for (let start = 1; start < limit; start++) {
    const steps = collatzSteps(start);
    if (steps > best.steps) best = { start, steps };
  }
  return best;
}
