// Runs one workload from one variant's copies (`<runtime> one.cjs <root> <workload> <runs>`), for
// the engine's own tracing (jsc-trace.mjs): no timing, no other variant in the process.
'use strict';
const path = require('node:path');
const { WORKLOADS } = require('./workloads.cjs');

const [root, name, runs = '5'] = process.argv.slice(2);
const workload = WORKLOADS.find((w) => w.name === name);
if (workload === undefined || root === undefined) {
  process.stderr.write(`usage: one.cjs <variant root> <${WORKLOADS.map((w) => w.name).join('|')}> [runs]\n`);
  process.exit(2);
}
const load = (file) => require(path.join(root, file.replace(/(^|\/)node_modules\//g, '$1modules/')));
const { run } = workload.setup(load, 1);
(async () => {
  for (let i = 0; i < Number(runs); i++) await run();
})();
