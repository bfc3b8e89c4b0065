// Imported late by lazy-main.mjs.
export function work(n) {
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += i;
  }
  return total;
}
