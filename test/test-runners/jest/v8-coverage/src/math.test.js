const { ancestors, Counter, doubled, fib, sum } = require('./math');

test('sums', () => {
  expect(sum([1, 2, 3])).toBe(6);
});

test('fib', () => {
  expect(fib(7)).toBe(13);
});

test('doubles', () => {
  expect(doubled([1, 2])).toEqual([2, 4]);
});

test('counts', () => {
  expect(new Counter().count(0)).toBe(0);
});

test('ancestors', () => {
  const root = { names: ['b', 'a', '_c'] };
  const leaf = { parent: { parent: root, names: ['d'] }, names: [] };
  expect(ancestors(leaf, false)).toEqual(['d', 'b', 'a']);
  expect(ancestors(leaf, true)).toEqual(['a', 'b', 'd']);
  expect(ancestors(root, false)).toEqual([]);
});
