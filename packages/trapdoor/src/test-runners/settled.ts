/**
 * `promise` with `end` called once it settles, its value or reason passed on: how the test-runner
 * hooks (node-test, bun-test, the Vitest runner) disarm a test's deadline when an async test ends.
 * `then` is called here, in the context of the caller (the code around the test).
 */
export function settled<T>(promise: Promise<T>, end: () => void): Promise<T>;
export function settled<T>(promise: PromiseLike<T>, end: () => void): PromiseLike<T>;
export function settled<T>(promise: PromiseLike<T>, end: () => void): PromiseLike<T> {
  return promise.then(
    (value) => {
      end();
      return value;
    },
    (error: unknown) => {
      end();
      throw error;
    },
  );
}
