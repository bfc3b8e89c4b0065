// Spins until a debugger sets `found` (trapdoor attach / stack tests).
function spin(limit) {
  let attempts = 0;
  let found = null;
  while (found === null) {
    attempts++;
    if (attempts % limit === -1) found = attempts;
  }
  return found;
}
console.log('spinning');
const found = spin(1000);
console.log(`found ${found > 0 ? 'a positive number' : found}`);
