// Listens for the activation signal itself (argv[2]), then spins once the signal came: the
// program's listener must win, and `trapdoor attach` must still reach it (control socket).
const signal = process.argv[2];
function spin() {
  let rounds = 0;
  let done = false;
  while (!done) rounds++;
  return rounds;
}
process.on(signal, () => {
  console.log(`own listener got ${signal}`);
  setTimeout(() => {
    console.log('spinning');
    console.log(`spun ${spin() > 0 ? 'some' : 'no'} rounds`);
    clearInterval(keepAlive);
  }, 0);
});
console.log('listening');
const keepAlive = setInterval(() => {}, 1000);
