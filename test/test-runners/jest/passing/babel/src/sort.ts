export function insertionSort(values: number[]): number[] {
  const out = [...values];
  for (let i = 1; i < out.length; i++) {
    let j = i;
    while (j > 0 && out[j - 1] > out[j]) {
      [out[j - 1], out[j]] = [out[j], out[j - 1]];
      j--;
    }
  }
  return out;
}
