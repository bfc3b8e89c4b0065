import { makeCounter, spin } from '@lib/counter';

test('counts from zero', () => {
  expect(makeCounter().count).toBe(0);
});

test('spins forever in a for (;;) loop', () => {
  const counter = makeCounter();
  spin(counter);
});

test('runs after the stuck test', () => {
  expect(makeCounter()).toEqual({ count: 0 });
});
