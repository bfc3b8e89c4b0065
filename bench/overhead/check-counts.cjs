// npm run bench:overhead's diagnostic (issue 10): how often each check runs in one workload,
// counted instead of timed. The variant's copies load with a stand-in for @trapdoor-js/runtime
// whose request flag is always set, so every check takes its slow path into a trap that counts
// the site; nothing pauses. Prints the checks passed per run by kind (loop, function entry) and
// the sites that pass the most, with their function, line and the running share of all checks.
// Counts do not depend on the engine: run it with Node.
//
// node bench/overhead/check-counts.cjs [variant folder (trapdoor-bun)] [workload (typescript)] [runs (1)] [top (40)]
// Environment: BENCH_WORK (bench/.tmp/overhead; run bench:overhead first).
'use strict';
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { WORKLOADS } = require('./workloads.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.resolve(ROOT, process.env.BENCH_WORK ?? 'bench/.tmp/overhead');
const [variant = 'trapdoor-bun', name = 'typescript', runs = '1', top = '40'] = process.argv.slice(2);
const workload = WORKLOADS.find((w) => w.name === name);
if (workload === undefined) fail(`unknown workload ${JSON.stringify(name)}; expected ${WORKLOADS.map((w) => w.name).join(', ')}`);
if (!fs.existsSync(path.join(WORK, variant))) fail(`no ${path.join(WORK, variant)}; run npm run bench:overhead first`);
if (!(Number(runs) >= 1) || !(Number(top) >= 0)) fail('runs must be at least 1 and top at least 0');

function fail(message) {
  process.stderr.write(`check-counts: ${message}\n`);
  process.exit(2);
}

const flags = new Int32Array(new SharedArrayBuffer(64));
flags[0] = 1;
/** module thunk → site → count */
const counts = new Map();
const runtime = {
  flags,
  register() {},
  trap(module, site) {
    let sites = counts.get(module);
    if (sites === undefined) counts.set(module, (sites = new Map()));
    sites.set(site, (sites.get(site) ?? 0) + 1);
    return undefined;
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === '@trapdoor-js/runtime' ? runtime : load.call(this, request, ...rest);
};

const { run } = workload.setup((file) => require(path.join(WORK, variant, file.replace(/(^|\/)node_modules\//g, '$1modules/'))), 1);
(async () => {
  for (let i = 0; i < Number(runs); i++) await run();
  const KIND = ['loop', 'entry', 'statement'];
  const rows = [];
  const byKind = [0, 0, 0];
  let total = 0;
  for (const [module, sites] of counts) {
    // The module's table (format 2): `/*trapdoor:2*/` and one JSON text.
    const table = JSON.parse(module().replace(/^\/\*trapdoor:\d\*\//, ''));
    for (const [site, n] of sites) {
      const [kind, line, column, functionName] = table.sites[site];
      total += n;
      byKind[kind] += n;
      rows.push({ n, kind: KIND[kind], functionName, where: `${path.basename(table.file)}:${line}:${column}` });
    }
  }
  rows.sort((a, b) => b.n - a.n);
  const per = (n) => Math.round(n / Number(runs)).toLocaleString('en');
  console.log(`${variant}, ${name}: ${per(total)} checks per run (${KIND.map((k, i) => `${k} ${per(byKind[i])}`).join(', ')}), ${rows.length} sites passed`);
  console.log('| checks per run | kind | function | where | share so far |');
  console.log('|---:|---|---|---|---:|');
  let sum = 0;
  for (const r of rows.slice(0, Number(top))) {
    sum += r.n;
    console.log(`| ${per(r.n)} | ${r.kind} | ${r.functionName || '(anonymous)'} | ${r.where} | ${((sum / total) * 100).toFixed(1)}% |`);
  }
})();
