// CommonJS: a method spinning until a debugger releases it.
const counter = {
  spins: 0,
  run(limit) {
    let hold = true;
    while (hold) {
      this.spins++;
    }
    return limit;
  },
};

console.log('spinning');
const result = counter.run(3);
console.log(`ran ${result}`);
