import { ancestors, initials, shout } from './text';

test('shouts', () => {
  expect(shout('a b')).toBe('A B!');
});

test('initials', () => {
  expect(initials(['Ada', 'Lovelace'])).toBe('AL');
});

test('ancestors', () => {
  const root = { names: ['b', 'a', '_c'] };
  const leaf = { parent: { parent: root, names: ['d'] }, names: [] };
  expect(ancestors(leaf, false)).toEqual(['d', 'b', 'a']);
  expect(ancestors(leaf, true)).toEqual(['a', 'b', 'd']);
  expect(ancestors(root, false)).toEqual([]);
});
