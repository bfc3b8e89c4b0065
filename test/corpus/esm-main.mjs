// ESM importing ESM (live bindings, default, renamed) and CommonJS (namespace interop),
// top-level loops that see imported bindings, dynamic import, import.meta shape.
import Dep, { counter, bump, frozen, reExportedBump } from './_esm-dep.mjs';
import * as ns from './_esm-dep.mjs';
import cjs, { inc } from './_cjs-dep.cjs';
const out = [];
out.push('counter ' + counter);
for (let i = 0; i < 3; i++) bump();
out.push('live binding ' + counter + ' ' + ns.counter);
reExportedBump(2);
out.push('after re-export ' + counter);
for (const v of frozen) out.push('frozen ' + v);
try { counter = 1; } catch (e) { out.push('import is read-only: ' + e.name); }
out.push(Dep.make().kind, typeof ns.default, Object.keys(ns).sort().join(','));
out.push('cjs ' + inc(3) + ' ' + cjs.count + ' ' + cjs.self() + ' ' + new cjs.Loop().run(3).join(''));
const dyn = await import('./_esm-dep.mjs');
out.push('dynamic import same module ' + (dyn === ns));
out.push('import.meta keys ' + Object.keys(import.meta).sort().join(','));
out.push('this at top level ' + this);
console.log(out.join('\n'));
