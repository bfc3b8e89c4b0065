import { describe, expect, test } from 'vitest';
import { someSpins } from '@lib/spin';

describe('native callbacks', () => {
  test('spins inside Array.prototype.some', () => {
    expect(someSpins([1, 2, 3])).toBe(false);
  });

  test('passes next to it', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect([1, 2].some((n) => n > 1)).toBe(true);
  });
});
