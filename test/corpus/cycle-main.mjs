// An ES module import cycle: _cycle-b.mjs runs first and calls a function of _cycle-a.mjs whose
// module body has not run yet (its `let`s are still in their TDZ).
import { fromA, aReady } from './_cycle-a.mjs';
console.log('main: a ready', aReady(), fromA(2));
