import { expect, test } from 'bun:test';

test('the bunfig preload ran', () => {
  expect(globalThis.bunfigPreloaded).toBe(true);
});

test('waits longer than the bunfig timeout', async () => {
  await new Promise((resolve) => setTimeout(resolve, 600));
});
