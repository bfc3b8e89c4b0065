// Waits in its event loop (a timer far in the future keeps it alive) until a debugger calls
// stopTicking(). No JavaScript runs meanwhile.
const timer = setInterval(() => {}, 60_000);
globalThis.stopTicking = () => {
  clearInterval(timer);
  console.log('stopped');
  return 'stopping';
};
console.log('idle');
