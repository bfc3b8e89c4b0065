function twice(n: number): number {
  // A loop, so that the file has a check (a function with neither loop nor call gets none).
  let result = 0;
  for (let i = 0; i < 2; i++) result += n;
  return result;
}
module.exports = { twice };
