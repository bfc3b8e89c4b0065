export function add(a: number, b: number): number {
  return a + b;
}

export function spinUntil(limit: number): number {
  let i = 0;
  while (true) {
    i++;
    if (i === limit) i = 0;
  }
}
