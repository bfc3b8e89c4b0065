// One runtime's half of `npm run bench:overhead` (run.mjs starts it as `node|bun|deno driver.cjs
// <config.json>`): loads every variant of each workload into this one process, checks that each
// variant's output is byte-identical to the plain one's, then times them in alternating rounds
// (the order rotated each round) so that load from other processes hits every variant alike.
// Writes its results as JSON to config.out.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { WORKLOADS } = require('./workloads.cjs');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const log = (msg) => process.stderr.write(`[${config.runtime}] ${msg}\n`);
const now = () => performance.now();
/**
 * CPU time of this process in ms (user + system, all threads: the collector's and the compilers'
 * helpers included). On a machine shared with other work, wall time also counts the time spent
 * waiting for a core; this does not. process.cpuUsage() is microsecond-precise on all three
 * runtimes here (the kernel's per-thread schedstat is only updated every few ms).
 */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function measure(workload) {
  const variants = config.variants.map((v) => {
    // A variant's copies mirror the repo with node_modules/ renamed (run.mjs, copyPath).
    const load = (file) => require(path.join(v.root, file.replace(/(^|\/)node_modules\//g, '$1modules/')));
    return { name: v.name, ...workload.setup(load, config.scale) };
  });
  // Output check, which also runs every variant once.
  const outputs = [];
  for (const v of variants) outputs.push(v.output(await v.run()));
  const identical = {};
  for (let i = 0; i < variants.length; i++) identical[variants[i].name] = outputs[i] === outputs[0];
  const outputBytes = Buffer.byteLength(outputs[0]);
  outputs.length = 0;

  const rounds = workload.name === 'typescript' ? Math.max(3, Math.round(config.rounds / 2)) : config.rounds;
  const warmup = workload.name === 'typescript' ? Math.max(1, Math.round(config.warmup / 2)) : config.warmup;
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
  const wall = Object.fromEntries(variants.map((v) => [v.name, []]));
  // Per round, each variant's time over plain's in that same round: load that changes between
  // rounds cancels out of these, not of the medians of the times.
  const paired = Object.fromEntries(variants.map((v) => [v.name, []]));
  const load = [os.loadavg()[0]];
  for (let round = -warmup; round < rounds; round++) {
    const k = ((round % variants.length) + variants.length) % variants.length;
    const order = variants.map((_, i) => variants[(i + k) % variants.length]);
    for (const v of order) {
      const c = cpu();
      const t = now();
      await v.run();
      const w = now() - t;
      const ms = cpu() - c;
      if (round >= 0) {
        samples[v.name].push(ms);
        wall[v.name].push(w);
      }
    }
    if (round >= 0) for (const v of variants) paired[v.name].push(samples[v.name].at(-1) / samples.plain.at(-1));
  }
  load.push(os.loadavg()[0]);
  const medians = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
  const ratios = Object.fromEntries(Object.entries(paired).map(([k, xs]) => [k, median(xs)]));
  const wallMedians = Object.fromEntries(Object.entries(wall).map(([k, xs]) => [k, median(xs)]));
  return { name: workload.name, clock: 'process-cpu', rounds, identical, outputBytes, samples, medians, ratios, wall, wallMedians, load };
}

(async () => {
  const results = [];
  for (const w of WORKLOADS) {
    if (!config.workloads.includes(w.name)) continue;
    const t = now();
    try {
      const r = await measure(w);
      results.push(r);
      const plain = r.medians.plain;
      log(`${w.name}: ${Object.entries(r.medians).map(([k, m]) => `${k} ${m.toFixed(1)} ms (${(m / plain).toFixed(3)}x, paired ${r.ratios[k].toFixed(3)}x)`).join(', ')} [${((now() - t) / 1000).toFixed(1)} s]`);
    } catch (error) {
      results.push({ name: w.name, error: String(error && error.stack ? error.stack : error) });
      log(`${w.name}: FAILED ${error && error.stack ? error.stack : error}`);
    }
  }
  fs.writeFileSync(config.out, JSON.stringify({ runtime: config.runtime, results }, null, 1));
  // The instrumented code's runtime keeps nothing alive; exit anyway in case a package left a timer.
  process.exit(0);
})();
