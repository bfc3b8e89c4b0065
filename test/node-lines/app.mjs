// A program that runs the same under Node 22 and 24 alone and under trapdoor (test/e2e-node-lines.test.ts).
import { total } from './lib/sum.cjs';
import { scale } from './lib/scale.ts';
import { spin } from './lib/spin.mjs';

if (process.argv[2] === 'busy') {
  console.log('busy');
  console.log('spun', spin());
} else {
  console.log(total([1, 2, 3]), scale(2));
  for (const n of [3, 2, 1, 0]) {
    if (n === 0) throw new RangeError(`ran out at ${n}`);
  }
}
