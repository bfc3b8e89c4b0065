// The stuck loop of spin.ts, in a module of its own (a bundle then holds two instrumented modules).
export enum Step {
  One = 1,
  Two = 2,
}

export interface Counter {
  total: number;
}

export class Spinner {
  constructor(private readonly limit: number) {}

  spin(counter: Counter): number {
    let step: number = this.limit;
    while (step > 0) {
      step += Step.One;
      counter.total += step % 3;
    }
    return step;
  }
}
