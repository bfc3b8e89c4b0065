import { findLongest, type Longest } from './collatz';
import { spin } from './spin';

enum Mode {
  Finite = 'finite',
  Busy = 'busy',
}

const mode = (process.argv[2] ?? Mode.Finite) as Mode;
const longest: Longest = findLongest(3000);
console.log(`longest below 3000: ${longest.start} (${longest.steps} steps)`);
// A check goes in before the string: its place in the output map must still lead back here.
const label = (steps: number): string => 'steps=' + steps;
console.log(label(longest.steps));
const sorted = [5, 3, 9, 1].sort((a, b) => a - b);
console.log(`sorted: ${sorted.join(' ')}`);
try {
  JSON.parse('{');
} catch (error) {
  console.log(`caught: ${(error as Error).name}`);
}
if (mode === Mode.Busy) {
  console.log('spinning');
  const found = spin(1000);
  console.log(`found ${found > 0 ? 'a positive number' : found}`);
}
