import { fromA, aReady } from './_cycle-a.mjs';
export const early = fromA(3);
export function fromB() { const parts = []; for (const p of ['b', 'b']) parts.push(p); return parts.join(''); }
let readyErr;
try { aReady(); } catch (e) { readyErr = e.name; }
console.log('b body: fromA before a ran =', early, '| arrow export in TDZ:', readyErr);
