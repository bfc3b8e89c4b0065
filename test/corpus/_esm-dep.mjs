// An ES module dependency: live bindings, default export, re-exports.
export let counter = 0;
export function bump(n = 1) { for (let i = 0; i < n; i++) counter++; return counter; }
export default class Dep { static make() { return new Dep(); } get kind() { return 'dep'; } }
export const frozen = Object.freeze([1, 2]);
export { bump as reExportedBump };
