export type Numbers = readonly number[];

export function total(numbers: Numbers): number {
  let sum = 0;
  for (const n of numbers) sum += n;
  return sum;
}
