// Generators: yield in loops and loop heads, return()/throw() with finally, yield*, generator
// methods, infinite generators consumed lazily, and arrows inside generators.
const out = [];
function* counter(limit) {
  for (let i = 0; i < limit; i = yield i) {
    if (i === undefined) i = 0;
  }
}
const c = counter(10);
out.push(JSON.stringify([c.next(), c.next(3), c.next(7), c.next(20)]));
function* withFinally() {
  try {
    let i = 0;
    while (true) yield i++;
  } finally {
    out.push('finally ran');
    yield 'from finally';
  }
}
const wf = withFinally();
out.push(JSON.stringify([wf.next(), wf.next(), wf.return('R'), wf.next()]));
function* catcher() {
  for (;;) {
    try { yield 'waiting'; } catch (e) { out.push('caught ' + e); yield 'recovered'; return 'done'; }
  }
}
const ct = catcher();
out.push(JSON.stringify([ct.next(), ct.throw('boom'), ct.next(), ct.next()]));
function* inner() { let x = yield 'inner1'; yield 'inner got ' + x; return 'inner result'; }
function* delegating() { const r = yield* inner(); yield r; for (const v of [1, 2]) yield* [v, v * 10]; }
out.push([...(function* () { const d = delegating(); let s = d.next(); while (!s.done) { yield s.value; s = d.next('X'); } })()].join(','));
function* naturals() { let n = 0; for (;;) yield n++; }
const firstFive = [];
for (const n of naturals()) { if (n >= 5) break; firstFive.push(n); }
out.push(firstFive.join(''));
class Tree {
  constructor(v, kids = []) { this.v = v; this.kids = kids; }
  *[Symbol.iterator]() { yield this.v; for (const k of this.kids) yield* k; }
  static *range(a, b) { while (a < b) yield a++; }
}
out.push([...new Tree(1, [new Tree(2, [new Tree(3)]), new Tree(4)])].join(''));
out.push([...Tree.range(3, 7)].join(''));
const obj = { *gen() { const fns = []; for (let i = 0; i < 3; i++) { fns.push(() => i); yield fns.length; } yield fns.map((f) => f()).join(''); } };
out.push([...obj.gen()].join(','));
function* argsGen(a, b = a * 2) { yield arguments.length; yield b; }
out.push([...argsGen(4)].join(','));
function* yieldInHead() { for (const x of [yield 'first', yield 'second']) yield 'x=' + x; }
const yh = yieldInHead();
out.push([yh.next().value, yh.next('A').value, yh.next('B').value, yh.next().value, yh.next().done].join(','));
const g2 = naturals();
g2.next();
out.push(JSON.stringify(g2.return(99)), JSON.stringify(g2.next()));
try { const t = naturals(); t.throw(new Error('before start')); } catch (e) { out.push('throw before start: ' + e.message); }
console.log(out.join('\n'));
