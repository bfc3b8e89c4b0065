import { spin } from './math.js';

test('passes before', () => {
  expect(1).toBe(1);
});

test('spins in an ES module', () => {
  spin(100);
});

test('passes after', () => {
  expect(import.meta.url).toMatch(/^file:/);
});
