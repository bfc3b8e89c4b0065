export function settle(n) {
  let i = 0;
  while (i < n) i++;
  return i;
}
