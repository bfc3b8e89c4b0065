// Spins until a debugger ends the loop (test/e2e-vscode.test.ts): nothing in the program sets `found`.
const settings = { limit: 1000, label: 'spin' };

function spin(limit) {
  let attempts = 0;
  let found = null;
  const seen = [limit, settings.label];
  while (found === null) {
    attempts++;
    if (attempts % limit === -1) found = seen;
  }
  return found;
}

console.log('spinning');
const found = spin(settings.limit);
console.log(`found ${found > 0 ? 'a positive number' : found}`);
