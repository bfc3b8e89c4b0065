import { makeCounter } from '@lib/counter';

type Pair = [number, number];

test('passes in another TypeScript file', () => {
  const pair: Pair = [makeCounter().count, 1];
  expect(pair).toEqual([0, 1]);
});
