/** 0 + 1 + … + (n - 1). */
export function sum(n) {
  let total = 0;
  for (let i = 0; i < n; i++) total += i;
  return total;
}
