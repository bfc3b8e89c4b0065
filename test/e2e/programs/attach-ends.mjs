// Does some work in loops, functions and a timer, then ends with exit code 3: under trapdoor it
// must end exactly as it does without (same output, same code, nothing kept alive).
function sum(limit) {
  let total = 0;
  for (let i = 0; i < limit; i++) total += i;
  return total;
}
console.log('sum', sum(1000));
setTimeout(() => {
  console.log('timer', [3, 1, 2].sort((a, b) => a - b).join(','));
  process.exitCode = 3;
}, 10);
