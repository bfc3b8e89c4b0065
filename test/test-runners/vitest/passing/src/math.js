export function sum(values) {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

export function unused() {
  return 'never called';
}

// An arrow with an expression body (its check is an expression), a method with a brace-less loop body.
export const doubled = (values) => values.map((value) => value * 2);

export class Counter {
  count(limit) {
    let n = 0;
    while (n < limit) n++;
    return n;
  }
}
