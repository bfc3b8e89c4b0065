import { countWords } from './words';

describe('countWords', () => {
  it('counts', () => {
    expect(countWords('a b a').get('a')).toBe(2);
  });

  it('has no empty words', () => {
    expect([...countWords('  x  ').keys()]).toEqual(['x']);
  });
});
