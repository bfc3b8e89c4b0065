// Loads a module only after a debugger lets it: breakpoints set on that module before it exists
// resolve when it registers.
let load = false;
console.log('spinning');
while (!load) {}
const { work } = await import('./lazy-dep.mjs');
console.log(`work ${work(3)}`);
