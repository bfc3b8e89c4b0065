// An idle program: a timer ticks now and then; the main thread waits in its event loop.
let ticks = 0;

function tick(label) {
  ticks++;
  const seen = ticks;
  if (seen === 1) console.log(`${label} started`);
}

const timer = setInterval(tick, 20, 'ticker');
globalThis.stopTicking = () => {
  clearInterval(timer);
  console.log(`stopped after ${ticks > 0 ? 'some' : 'no'} ticks`);
  return 'stopping';
};
console.log('idle');
