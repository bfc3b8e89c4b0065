// A busy program: it spins with no I/O and no function call until a debugger sets `found`.
let found = null;
let attempts = 0;
console.log('started');
while (found === null) {
  attempts++;
}
console.log(`found ${found}`);
