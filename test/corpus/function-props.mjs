// Function.prototype.length and .name for every kind of function (including inferred names).
// toString() is deliberately not printed: instrumentation changes the source text it returns.
import * as self from './function-props.mjs';
const rows = [];
const show = (label, f) => rows.push(`${label}: name=${JSON.stringify(f.name)} length=${f.length}`);
function decl(a, b, c) { for (let i = 0; i < 1; i++) {} }
show('decl', decl);
show('defaults', function (a, b = 1, c) {});
show('rest', (...r) => r);
show('destructured', ({ a }, [b], c = 3, ...d) => {});
show('arrow inferred', (() => { const inferred = (x) => x; return inferred; })());
const assigned = function () { while (false) {} };
show('assigned expr', assigned);
const namedExpr = function realName(x) { return x; };
show('named expr', namedExpr);
let later;
later = () => {};
show('assignment inferred', later);
const obj = {
  method(a) {},
  ['comp' + 'uted'](a, b) {},
  get getter() { return 1; },
  set setter(v) {},
  async asyncMethod() {},
  *genMethod(x) { yield x; },
  async *asyncGen(y, z) {},
  [Symbol.iterator]() {},
  arrowProp: (a, b) => a,
  fnProp: function () {},
  'string key'() {},
  123() {},
};
for (const k of ['method', 'computed', 'asyncMethod', 'genMethod', 'asyncGen', 'arrowProp', 'fnProp', 'string key', '123']) show('obj.' + k, obj[k]);
show('obj[Symbol.iterator]', obj[Symbol.iterator]);
show('getter', Object.getOwnPropertyDescriptor(obj, 'getter').get);
show('setter', Object.getOwnPropertyDescriptor(obj, 'setter').set);
class C {
  constructor(a, b) {}
  static staticMethod(x) {}
  #priv(a) { return a; }
  static getPriv(c) { return c.#priv; }
  get acc() { return 1; }
  static async *sag() {}
  field = () => {};
  static staticField = function () {};
}
show('class C', C);
show('C.staticMethod', C.staticMethod);
show('#priv', C.getPriv(new C()));
show('C.sag', C.sag);
show('field', new C().field);
show('staticField', C.staticField);
show('class expr', class {});
const Named = class Inner {};
show('named class expr', Named);
show('bound', decl.bind(null, 1));
function withDefault(f = () => {}, g = function () {}) { return [f, g]; }
const [df, dg] = withDefault();
show('default param arrow', df);
show('default param fn', dg);
const { destructDefault = () => {} } = {};
show('destructuring default', destructDefault);
const [arrDefault = function () {}] = [];
show('array destructuring default', arrDefault);
let logical;
logical ??= () => {};
show('logical assignment', logical);
show('async arrow', async (a) => a);
show('generator', function* g(a, b) {});
show('async fn', async function af(a) {});
export default function (a, b) {}
show('export default', self.default);
show('Function ctor', new Function('a', 'b', 'return a'));
console.log(rows.join('\n'));
console.log('prototype props:', Object.getOwnPropertyNames(decl).sort().join(','), Object.getOwnPropertyNames(() => {}).sort().join(','));
console.log('arrow has no prototype', (() => {}).prototype === undefined, 'method has none', obj.method.prototype === undefined);
