// A token bucket: `take()` hands out one of `capacity` tokens; `refill()` puts them back.

export class RateLimiter {
  private tokens: number;

  constructor(private readonly capacity: number) {
    this.tokens = capacity;
  }

  refill(): void {
    this.tokens = this.capacity;
  }

  /** Waits for a token, busily (the caller is a synchronous replay): returns how long it spun. */
  waitForToken(): number {
    let spins = 0;
    let granted = false;
    while (!granted) {
      spins++;
      if (this.tokens > 0) granted = true;
    }
    this.tokens--;
    return spins;
  }
}
