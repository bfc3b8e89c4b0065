// No "type" in package.json: an ES module by its syntax, importing another .ts file by the .js
// name tsc's NodeNext resolution wants, and a CommonJS one (by its syntax) dynamically.
import { total, type Numbers } from './lib/sum.js';

const values: Numbers = [1, 2, 3];
console.log('untyped', total(values));
import('./helper.ts').then((helper: { default: { twice(n: number): number } }) => {
  console.log(helper.default.twice(21));
});
