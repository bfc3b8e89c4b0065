// Getters/setters (object and class, static, computed), class static blocks, private methods,
// private accessors, `#x in obj`, fields with arrows, super in object methods, evaluation order
// of computed keys.
const out = [];
const order = [];
const key = (k) => { order.push(k); return k; };
const base = { greet() { return 'base greet'; } };
const o = {
  __proto__: base,
  _v: 1,
  get v() { let r = this._v; for (let i = 0; i < 2; i++) r *= 2; return r; },
  set v(x) { for (const d of [1]) this._v = x + d; },
  greet() { return 'derived ' + super.greet(); },
  get [key('computedGetter')]() { return 'cg'; },
  [key('computedMethod')]() { return 'cm'; },
  get() { return 'method named get'; },
  set(x) { return 'method named set ' + x; },
  static() { return 'method named static'; },
  async() { return 'method named async'; },
};
o.v = 5;
out.push(o.v, o.greet(), o.computedGetter, o.computedMethod(), o.get(), o.set(1), o.static(), o.async());
class Counter {
  static #instances = 0;
  static created = [];
  #count = 0;
  static {
    for (let i = 0; i < 2; i++) Counter.created.push('static block ' + i);
    var scopedVar = 'static var';
    this.fromBlock = scopedVar;
  }
  static { this.second = Counter.created.length; }
  constructor(start) { Counter.#instances++; for (let i = 0; i < start; i++) this.#inc(); }
  #inc() { this.#count++; return this; }
  get #double() { return this.#count * 2; }
  set #double(v) { this.#count = v / 2; }
  get count() { return this.#count; }
  set count(v) { let x = v; while (x > 100) x -= 100; this.#count = x; }
  get double() { return this.#double; }
  setDouble(v) { this.#double = v; return this; }
  static get instances() { return Counter.#instances; }
  static set instances(v) { throw new Error('read only'); }
  static isCounter(x) { return #count in x; }
  [key('classComputed')]() { return 'class computed'; }
  static [key('staticComputed')] = key('staticFieldValue');
  field = key('instanceField');
  arrow = () => this.#count;
}
const c = new Counter(3);
out.push(c.count, c.double, c.setDouble(10).count, Counter.instances, Counter.isCounter(c), Counter.isCounter({}));
c.count = 250;
out.push(c.count, c.arrow(), c.classComputed(), Counter.staticComputed, Counter.fromBlock, Counter.second, Counter.created.join('/'));
try { Counter.instances = 1; } catch (e) { out.push(e.message); }
class Sub extends Counter {
  get count() { return 'sub ' + super.count; }
  static { this.subBlock = typeof super.isCounter; }
}
out.push(new Sub(2).count, Sub.subBlock);
class Acc {
  static #secret() { return 'static private'; }
  static reveal() { return Acc.#secret(); }
  static accessor = 1;
}
out.push(Acc.reveal(), Acc.accessor);
const anonymous = new (class { constructor() { this.x = [1, 2].map((v) => v + 1); } })();
out.push(anonymous.x.join(','));
const objSetterOnly = { set only(v) { out.push('set only ' + v); } };
objSetterOnly.only = 'value';
out.push(String(objSetterOnly.only));
out.push('order ' + order.join(','));
console.log(out.join('\n'));
