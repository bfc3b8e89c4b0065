// Loops, functions, a class, output on both streams and exit status 3: what the instrumented run
// must reproduce exactly.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

function collatz(n) {
  let steps = 0;
  while (n !== 1) {
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;
    steps++;
  }
  return steps;
}

class Counter {
  #count = 0;
  add(by) {
    this.#count += by;
    return this;
  }
  get value() {
    return this.#count;
  }
}

const counter = new Counter();
for (let i = 1; i <= 30; i++) counter.add(collatz(i));
console.log('steps', counter.value, basename(fileURLToPath(import.meta.url)));
console.error('to stderr', [1, 2, 3].map((x) => x * x).join(','));
try {
  JSON.parse('{oops');
} catch (error) {
  console.log('caught', error.name);
}
process.exitCode = 3;
