// Event-loop ordering: nextTick, promise jobs, queueMicrotask, setImmediate and timers, all from
// instrumented callbacks. Checks never yield, so the order must be exactly the same.
const order = [];
const log = (x) => order.push(x);
setTimeout(() => {
  // Inside a timer callback, setImmediate always runs before a new 0 ms timer.
  setTimeout(() => log('timeout in timeout'), 0);
  setImmediate(() => {
    log('immediate in timeout');
    process.nextTick(() => log('tick in immediate'));
    Promise.resolve().then(() => log('promise in immediate'));
  });
  for (let i = 0; i < 2; i++) process.nextTick(() => log('tick in timeout ' + i));
  Promise.resolve().then(() => log('promise in timeout'));
}, 1);
process.nextTick(() => log('tick 1'));
Promise.resolve().then(() => { log('promise 1'); process.nextTick(() => log('tick from promise')); });
queueMicrotask(() => log('microtask 1'));
process.nextTick(() => { log('tick 2'); Promise.resolve().then(() => log('promise from tick')); });
(async () => { log('async start'); for (let i = 0; i < 2; i++) { await null; log('async ' + i); } })();
log('sync end');
setTimeout(() => {
  setTimeout(() => {
    console.log(order.join('\n'));
  }, 5);
}, 20);
