import { settle } from './settle.js';

test('passes in another file', () => {
  expect(settle(5)).toBe(5);
  expect(globalThis.settled).toBe(3);
});
