/** Spins until `limit` is reached; with a huge limit, for as long as it takes. */
export function countTo(limit: number): number {
  let count = 0;
  for (let i = 0; i < limit; i++) count += i % 3;
  return count;
}

/** A loop inside a callback that a native method (Array.prototype.some) drives. */
export function someSpins(items: number[]): boolean {
  return items.some((item) => {
    let seen = 0;
    while (seen >= 0) seen += item;
    return false;
  });
}
