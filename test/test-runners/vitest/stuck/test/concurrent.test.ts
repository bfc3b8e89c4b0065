import { describe, expect, test } from 'vitest';

// Concurrent tests share the thread: the one that spins must still be stopped, though the
// others start and end around it. (Its siblings are held up while it spins: with a timeout of
// their own as short as its, Vitest would fail them for that, as it would without trapdoor.)
describe.concurrent('concurrent', () => {
  test('waits, then passes', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(1).toBe(1);
  }, 5000);

  test('spins after an await', async () => {
    await Promise.resolve();
    let spins = 0;
    while (spins >= 0) spins++;
  });

  test('passes at once', () => {
    expect(2).toBe(2);
  }, 5000);
});
