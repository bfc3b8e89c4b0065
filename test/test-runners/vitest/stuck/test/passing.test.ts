import { expect, test } from 'vitest';
import { countTo } from '@lib/spin';

test('another file passes', () => {
  expect(countTo(4)).toBe(3);
});
