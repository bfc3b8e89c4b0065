import { add, spin } from './math.js';

test('passes before', () => {
  expect(add(1, 2)).toBe(3);
});

test('spins in an ES module', () => {
  spin(100);
});

test('spins in a function of the setup file', () => {
  globalThis.spinInSetup();
});

test('passes after, the setup file having run', () => {
  expect(globalThis.settled).toBe(3);
  expect(import.meta.url).toMatch(/^file:/);
});
