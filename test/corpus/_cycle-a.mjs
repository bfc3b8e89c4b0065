import { fromB, early } from './_cycle-b.mjs';
export function fromA(n) {
  let r = '';
  for (let i = 0; i < n; i++) r += 'a';
  try { r += state; } catch (e) { r += '<' + e.name + '>'; }
  return r;
}
export const aReady = () => typeof state === 'string';
let state = 'a-state';
console.log('a body runs after b:', early, fromB());
