import { expect, test } from 'vitest';
import { shout } from '../src/text';

test('shout', () => {
  expect(shout('hello world')).toBe('HELLO WORLD!');
});

test('error stack is the plain one', () => {
  const error = new Error('where');
  expect(error.stack?.split('\n')[1]).toContain('text.test.ts:9:17');
});
