export function spin() {
  let spins = 0;
  while (spins >= 0) spins++;
  return spins;
}
