// A busy loop calling a function, until a debugger sets `stop` (test/e2e-vscode.test.ts: breakpoints, steps).
function tick(n) {
  const doubled = n * 2;
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
