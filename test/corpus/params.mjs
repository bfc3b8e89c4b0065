// Parameters: defaults referencing earlier parameters, defaults with closures (separate
// parameter scope), destructuring with defaults, rest, evaluation order and side effects.
const out = [];
const log = (x) => { out.push('eval ' + x); return x; };
function f1(a, b = a + 1, c = b * 2) { return [a, b, c].join(','); }
out.push(f1(1), f1(1, 5), f1(1, undefined, 0));
function f2(a, g = () => a) { var a = 'body var'; for (let i = 0; i < 1; i++) {} return a + ' / ' + g(); }
out.push(f2('param'));
function f3(a, set = (v) => { a = v; }) { set('set through closure'); let r = a; while (false) {} return r; }
out.push(f3('orig'));
function f4({ a, b: { c = a, d } = {}, ...rest } = {}, [e, , f = e, ...g] = []) {
  for (const k in rest) out.push('rest ' + k);
  return JSON.stringify({ a, c, d, e, f, g });
}
out.push(f4({ a: 1, b: { d: 2 }, x: 3, y: 4 }, [5, 6, undefined, 7, 8]), f4());
function f5(a = log('a'), b = log('b'), ...rest) { return rest.length; }
out.push(f5(undefined, 0, 1, 2));
const f6 = ({ x = 1 } = {}, y = x * 10) => { for (let i = 0; i < 1; i++) {} return x + y; };
out.push(f6(), f6({ x: 2 }), f6({}, 0));
function f7(a, b = () => { for (let i = 0; i < 2; i++) a += i; return a; }) { const r = b(); return a + ':' + r; }
out.push(f7(10));
function f8(n, acc = []) { if (n === 0) return acc.join(''); acc.push(n); return f8(n - 1, acc); }
out.push(f8(3));
const f9 = async ({ p } = { p: 'default p' }) => p;
out.push(await f9());
function f10(x = this?.tag) { return x; }
out.push(f10.call({ tag: 'this in default' }));
function f11(a, b = arguments.length) { return b; }
out.push(f11(1), f11(1, undefined));
class P { constructor(a = new.target.name, { b } = { b: a + '!' }) { this.v = a + b; } }
out.push(new P().v);
function f12(cb = function named() { return typeof named; }) { return cb(); }
out.push(f12());
function f13([a, b] = (function* () { for (let i = 1; ; i++) yield i; })()) { return a + b; }
out.push(f13());
console.log(out.join('\n'));
