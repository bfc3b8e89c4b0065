// A busy loop calling a function, until a debugger sets `stop` (test/e2e-vscode.test.ts: breakpoints, steps).
// tick() makes a call, so it keeps its entry check: a function with neither loop nor call has none,
// and a breakpoint in it could not stop (the transform's entry elision).
function tick(n) {
  const doubled = Math.imul(n, 2);
  return doubled;
}

function run() {
  let total = 0;
  let stop = false;
  for (let i = 0; !stop; i++) {
    total += tick(i);
  }
  return total;
}

console.log('spinning');
console.log(`total ${run() > 0 ? 'positive' : 'zero'}`);
