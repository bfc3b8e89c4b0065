// Deep recursion driven from native code (Array.from and sort callbacks); the innermost call
// spins in a sort comparator until a debugger opens the gate.
function compare(a, b) {
  const gate = a.gate;
  while (!gate.open) {}
  return a.n - b.n;
}

function descend(depth, items) {
  if (depth === 0) return items.slice().sort(compare)[0].n;
  const [value] = Array.from([depth], (d) => descend(d - 1, items));
  return value;
}

const gate = { open: false };
const items = [3, 1, 2].map((n) => ({ n, gate }));
console.log('spinning');
const smallest = descend(40, items);
console.log(`smallest ${smallest}`);
