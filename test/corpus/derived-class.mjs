// Derived-class constructors: loops and arrows before super(), `this` before super() throwing,
// super() called from an arrow, new.target in constructors, functions and arrows.
const out = [];
const log = (...a) => out.push(a.join(' '));
class Base {
  constructor(v) { this.v = v; log('Base new.target', new.target.name); }
  who() { return 'base'; }
}
class D1 extends Base {
  constructor(n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += i;
    const twice = () => s * 2;
    const peek = () => this;
    try { peek(); } catch (e) { log('this before super', e.name); }
    let k = 0;
    while (k < 2) { k++; }
    super(twice() + k);
    log('D1 after super', this.v, peek() === this);
  }
}
new D1(4);
class D2 extends Base {
  constructor() {
    const init = (x) => super(x);
    for (let i = 0; i < 1; i++) init('from arrow');
    log('D2', this.v, super.who());
  }
}
new D2();
class D3 extends Base {
  constructor() {
    const fns = [];
    for (const x of [1, 2]) fns.push(() => x);
    if (fns.length) super(fns.map((f) => f()).join('+'));
    else super('none');
    log('D3', this.v);
  }
}
new D3();
class D4 extends Base {
  field = (() => { let f = 0; for (let i = 0; i < 3; i++) f += i; return f + this.v; })();
  arrowField = () => this.field;
}
const d4 = new D4(10);
log('D4', d4.field, d4.arrowField());
class D5 extends D1 {
  constructor() {
    try { super(...(function* () { for (let i = 0; i < 1; i++) yield 3; })()); } catch (e) { log(e.name); }
    log('D5 new.target', new.target === D5);
  }
}
new D5();
class D6 extends Base {
  constructor() {
    return { returned: true };
  }
}
log('D6', JSON.stringify(new D6()));
class D7 extends Base {
  constructor() {
    try { new.target; for (;;) { this.x = 1; break; } } catch (e) { log('D7 this in loop', e.name); }
    super(7);
  }
}
log('D7', new D7().v);
function F() {
  for (let i = 0; i < 1; i++) {}
  const arrowNT = () => new.target;
  log('F new.target', new.target === F, arrowNT() === new.target);
  if (!new.target) return new F();
}
F();
new F();
Reflect.construct(F, [], Base);
const Anon = class extends Base {
  constructor() { super(); log('anonymous class name', new.target.name); }
};
new Anon();
console.log(out.join('\n'));
