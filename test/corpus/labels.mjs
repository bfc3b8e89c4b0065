// Labels: labelled continue/break across nested loops of every kind, labels on unbraced
// bodies, labelled blocks inside loop bodies, and several labels on one loop.
const out = [];
outer: for (let i = 0; i < 4; i++) {
  inner: for (let j = 0; j < 4; j++) {
    if (j === 2) continue outer;
    if (i === 3) break outer;
    if (j > i) continue inner;
    out.push(`${i}${j}`);
  }
}
out.push('|');
let n = 0;
a: b: while (n < 10) {
  n++;
  do {
    if (n % 2) continue a;
    if (n > 6) break b;
    out.push('n' + n);
  } while (false);
}
out.push('|');
x: for (const k in { p: 1, q: 2, r: 3 }) y: for (const v of [1, 2]) { if (k === 'q') continue x; if (v === 2) break y; out.push(k + v); }
out.push('|');
let m = 0;
lbl: do m++; while (m < 3);
out.push('m' + m);
for (let i = 0; i < 3; i++) blk: { if (i === 1) break blk; out.push('blk' + i); }
for (let i = 0; i < 3; i++) inner: for (;;) { if (i === 1) break inner; out.push('un' + i); break; }
out.push('|');
function labelledInFunction() {
  const r = [];
  scan: for (const row of [[1, 2], [3, 4], [5, 6]]) {
    for (const cell of row) {
      if (cell === 4) continue scan;
      if (cell === 6) break scan;
      r.push(cell);
    }
  }
  let c = 0;
  spin: for (;;) { while (true) { c++; if (c > 3) break spin; continue spin; } }
  r.push('c' + c);
  return r.join(',');
}
out.push(labelledInFunction());
async function labelledAwait() {
  const r = [];
  outerAwait: for await (const v of [Promise.resolve(1), 2, Promise.resolve(3)]) {
    for (let i = 0; i < 3; i++) {
      if (v === 2) continue outerAwait;
      if (i === 1) continue outerAwait;
      r.push(v + ':' + i);
    }
  }
  return r.join(',');
}
out.push(await labelledAwait());
console.log(out.join(' '));
