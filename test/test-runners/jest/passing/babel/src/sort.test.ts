import { insertionSort } from '~/sort';

test('sorts', () => {
  expect(insertionSort([3, 1, 2])).toEqual([1, 2, 3]);
});

test('matches its snapshot', () => {
  expect({ sorted: insertionSort([9, 7, 8]), label: 'nine' }).toMatchSnapshot();
});

test('an error keeps its message and line', () => {
  const fail = () => {
    throw new Error('boom at sort.test.ts');
  };
  expect(fail).toThrow('boom at sort.test.ts');
});
