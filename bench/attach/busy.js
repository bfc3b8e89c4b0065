// The program every attach benchmark run debugs: busy forever, with a call in its loop.
function work(n) {
  let sum = 0;
  for (let k = 0; k < n; k++) sum += k;
  return sum;
}
let total = 0;
while (true) total += work(100);
