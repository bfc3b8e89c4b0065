export interface Counter {
  count: number;
}

export function makeCounter(): Counter {
  return { count: 0 };
}

export function spin(counter: Counter): void {
  for (;;) {
    counter.count++;
  }
}
