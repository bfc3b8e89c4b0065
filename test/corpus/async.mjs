// Async functions, async arrows, async generators, for await (over async and sync iterables),
// top-level await in loops, and microtask interleaving (any extra await would reorder the log).
const out = [];
const tick = (label) => out.push(label);
async function a1() { tick('a1 start'); for (let i = 0; i < 3; i++) { await null; tick('a1 ' + i); } return 'a1 done'; }
async function b1() { tick('b1 start'); let i = 0; while (i < 3) { await undefined; tick('b1 ' + i++); } return 'b1 done'; }
const c1 = async () => { tick('c1 start'); await Promise.resolve(); tick('c1 end'); };
const d1 = async (x) => x * 2;
tick('sync before');
const results = await Promise.all([a1(), b1(), c1(), d1(21)]);
tick('results ' + results.join(','));
async function* agen(n) {
  for (let i = 0; i < n; i++) {
    await null;
    tick('agen yields ' + i);
    yield i;
  }
  return 'agen return';
}
async function consume() {
  let sum = 0;
  for await (const v of agen(3)) { sum += v; tick('consumed ' + v); }
  for await (const v of [Promise.resolve(10), 20, Promise.resolve(30)]) sum += v;
  for await (const v of (function* () { yield Promise.resolve(100); })()) sum += v;
  return sum;
}
const interleaved = Promise.all([consume(), (async () => { for (let i = 0; i < 3; i++) { tick('other ' + i); await null; } })()]);
tick('consume sum ' + (await interleaved)[0]);
async function earlyReturn() {
  const it = agen(10);
  const origReturn = it.return.bind(it);
  it.return = (v) => { tick('iterator return called'); return origReturn(v); };
  for await (const v of { [Symbol.asyncIterator]: () => it }) { if (v === 1) return 'stopped at ' + v; }
}
tick(await earlyReturn());
async function rejects() {
  try {
    for await (const v of (async function* () { yield 1; throw new Error('agen failed'); })()) tick('before failure ' + v);
  } catch (e) { return e.message; }
}
tick(await rejects());
const obj = { async m() { await null; return 'method'; }, async *ag() { yield* agen(1); } };
tick(await obj.m());
for await (const v of obj.ag()) tick('obj.ag ' + v);
class K { static async s() { return 'static async'; } async #p() { return 'private async'; } run() { return this.#p(); } }
tick(await K.s());
tick(await new K().run());
let topLevel = 0;
for (let i = 0; i < 3; i++) topLevel += await Promise.resolve(i);
tick('top level loop ' + topLevel);
const thenable = { then(resolve) { tick('thenable then'); resolve('thenable value'); } };
tick(await thenable);
const order = [];
const p1 = (async () => { order.push(1); await null; order.push(3); })();
order.push(2);
await p1;
tick('order ' + order.join(''));
console.log(out.join('\n'));
