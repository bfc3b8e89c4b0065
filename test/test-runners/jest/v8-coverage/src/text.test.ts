import { initials, shout } from './text';

test('shouts', () => {
  expect(shout('a b')).toBe('A B!');
});

test('initials', () => {
  expect(initials(['Ada', 'Lovelace'])).toBe('AL');
});
