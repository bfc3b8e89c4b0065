// Temporal dead zones. In the every-check-traps run, a check that reads a binding in its TDZ
// throws a ReferenceError that the plain program never sees.
const out = [];
const log = (...a) => out.push(a.join(' '));

// let/const/class read in closures before initialisation
function readX() { for (let i = 0; i < 1; i++) {} return x; }
function readK() { return new K(); }
const readY = () => y;
try { readX(); } catch (e) { log('x TDZ', e.name); }
try { readK(); } catch (e) { log('K TDZ', e.name); }
try { readY(); } catch (e) { log('y TDZ', e.name); }
try { typeof z; } catch (e) { log('typeof z TDZ', e.name); }
let x = 1;
const y = 2;
class K {}
let z;
log('after init', readX(), readY(), typeof readK());

// a loop before a let in the same function
function laterLet() {
  const o = [];
  for (let i = 0; i < 2; i++) { o.push(i); }
  let later = 'later';
  try { (() => later2)(); } catch (e) { o.push(e.name); }
  let later2 = 2;
  while (o.length < 5) o.push(later2);
  return o.join(',') + ' ' + later + ' ' + later2;
}
log(laterLet());

// switch cases share one scope
function sw(k) {
  const o = [];
  switch (k) {
    case 0:
      let a = 'a0';
      const b = 'b0';
      class C0 {}
      o.push(a, b, typeof C0);
    // falls through
    case 1:
      for (let i = 0; i < 2; i++) o.push('loop' + i);
      try { o.push(a); } catch (e) { o.push(e.name); }
      try { o.push(b); } catch (e) { o.push(e.name); }
      break;
    case 2: {
      let i = 0;
      while (i < 2) { i++; }
      o.push('block ' + i);
    }
    // falls through
    default:
      do { o.push('do'); } while (false);
      o.push(inCase());
      function inCase() { return 'inCase'; }
      const fns = [];
      for (const q of [1, 2]) fns.push(() => q);
      o.push(fns.map((f) => f()).join('/'));
  }
  return o.join(' ');
}
for (const k of [0, 1, 2, 3]) log('switch', k, sw(k));

// a shadowing let declared AFTER a loop in the same block, while an outer binding of that name exists
function shadow() {
  let v = 'outer';
  const o = [];
  {
    for (let i = 0; i < 2; i++) { o.push('iter' + i); }
    try { o.push(v); } catch (e) { o.push(e.name); }
    let v = 'inner';
    o.push(v);
  }
  o.push(v);
  return o.join(' ');
}
log(shadow());
function shadowParam(p) {
  const o = [];
  {
    let n = 0;
    do { n++; } while (n < 2);
    o.push(n);
    const p = 'shadowed-' + n;
    o.push(p);
  }
  return o.concat(p).join(' ');
}
log(shadowParam('param'));
function shadowFn() {
  const o = [];
  const inner = () => {
    for (let i = 0; i < 1; i++) { o.push('arrow loop'); }
    let shadowFn = 'local';
    return shadowFn;
  };
  o.push(inner());
  return o.join(' ');
}
log(shadowFn());

// the same at module top level
let w = 'outer-w';
{
  for (let i = 0; i < 1; i++) {}
  let w = 'inner-w';
  log(w);
}
log(w);

// loops inside for (let …) heads; closures capture one binding per iteration
function heads() {
  const fns = [];
  for (let i = 0, f = () => i; i < 3; i++, fns.push(() => i)) { fns.push(f); }
  log('heads 1', fns.map((g) => g()).join(','));
  const fns2 = [];
  for (let i = (() => { let s = 0; for (let j = 0; j < 3; j++) s += j; return s; })(); i < 5; i++) fns2.push(() => i);
  log('heads 2', fns2.map((g) => g()).join(','));
  const fns3 = [];
  for (let i = 0; i < [1, 2, 3].filter((v) => { for (let q = 0; q < 1; q++) {} return v > i; }).length; i++) fns3.push(() => i * 10);
  log('heads 3', fns3.map((g) => g()).join(','));
  const fns4 = [];
  for (let i = 0; i < 3; i++) {
    for (let j = i; j < 3; j = (() => { let k = j; while (k < j + 1) k++; return k; })()) fns4.push(() => `${i}${j}`);
  }
  log('heads 4', fns4.map((g) => g()).join(','));
  const fns5 = [];
  for (const [k, get] of Object.entries({ a: 1, b: 2 }).map(([k, v]) => [k, () => v])) fns5.push(() => k + get());
  log('heads 5', fns5.map((g) => g()).join(','));
  try {
    for (let i = (() => i)(); ;) { break; }
  } catch (e) { log('head TDZ', e.name); }
  try {
    for (const q of [q]) {}
  } catch (e) { log('for-of head TDZ', e.name); }
  let t = 0;
  for (let i = 0; i < 3; i++) { let t = i; t++; }
  log('t', t);
}
heads();

// parameter scope TDZ
function p1(a = b, b = 1) { return a + b; }
try { p1(); } catch (e) { log('param TDZ', e.name); }
function p2(a = () => b, b = 2) { for (let i = 0; i < 1; i++) {} return a(); }
log('p2', p2());

// class heritage and static blocks before the binding
try {
  class Self extends (() => { for (let i = 0; i < 1; i++) {} return Self; })() {}
} catch (e) { log('class heritage TDZ', e.name); }
class S {
  static n = 0;
  static {
    for (let i = 0; i < 3; i++) S.n += i;
    let after = S.n;
    this.after = after;
  }
}
log('static block', S.n, S.after);

console.log(out.join('\n'));
