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
