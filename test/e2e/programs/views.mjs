// What debuggers show: `this` in methods and constructors, values with their own toString, and
// breakpoints inside functions. Spins until a debugger sets `stop`.
class Money {
  constructor(cents) {
    this.cents = cents;
  }
  toString() {
    return `$${(this.cents / 100).toFixed(2)}`;
  }
}

// Counts its own descriptions: a toString with a side effect, which must never run for a debugger.
class Noisy {
  static described = 0;
  toString() {
    Noisy.described++;
    return 'noisy';
  }
}

class Counter {
  constructor(limit) {
    this.limit = limit;
    this.count = 0;
  }
  run() {
    while (this.count < this.limit) {
      this.count++;
    }
    return this.count;
  }
}

class Timed extends Counter {
  constructor(limit) {
    super(limit);
    for (let lap = 0; lap < 2; lap++) {
      this.count = lap;
    }
  }
}

function collatzSteps(n) {
  let steps = 0;
  while (n !== 1) {
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;
    steps++;
  }
  return steps;
}

function other(x) {
  for (let i = 0; i < 2; i++) {
    x += i;
  }
  return x;
}

const price = new Money(1234);
const box = { noisy: new Noisy(), price };
let stop = false;
let rounds = 0;
console.log('spinning');
while (!stop) {
  rounds++;
  new Timed(100 + (rounds % 7)).run();
  collatzSteps(27);
  other(rounds);
}
console.log(`stopped after ${rounds > 0 ? 'some' : 'no'} rounds, price ${price}, noisy described ${Noisy.described} times`);
