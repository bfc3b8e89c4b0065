// A leaf function (neither loop nor call, so trap mode gives it no check) nested before a
// top-level loop that spins until a debugger sets `stop`. A breakpoint in the leaf must not
// resolve to that loop's check.
function makeCounter(step) {
  function tick(n) {
    return n + step;
  }
  return tick;
}

const tick = makeCounter(1);
let stop = false;
let n = 0;
console.log('spinning');
while (!stop) {
  n = tick(n);
}
console.log(`stopped, counted ${n > 0 ? 'some' : 'none'}`);
