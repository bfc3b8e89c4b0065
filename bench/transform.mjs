// npm run bench:transform — instruments typescript's lib/typescript.js (about 9 MB) and prints
// MB/s for trapdoor's transform, next to a bare @babel/parser parse of the same file and
// istanbul's instrumenter, in the same run. Best of N runs each, after one warm-up.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { parse } from '@babel/parser';
import { instrument } from '@trapdoor-js/transform';

const require = createRequire(import.meta.url);
const file = require.resolve('typescript/lib/typescript.js');
const code = readFileSync(file, 'utf8');
const mb = Buffer.byteLength(code) / 1e6;
const runs = Number(process.env.BENCH_RUNS ?? 3);

function best(label, fn, n = runs) {
  fn(); // warm-up
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return { label, ms: min, mbps: mb / (min / 1000) };
}

const rows = [];
rows.push(best('@babel/parser parse only', () => parse(code, { sourceType: 'script', allowReturnOutsideFunction: true, attachComment: false })));
let sites = 0;
let outBytes = 0;
rows.push(best('trapdoor instrument (+ hires map)', () => {
  const r = instrument(code, { filename: file, moduleType: 'cjs' });
  sites = r.sites.length;
  outBytes = r.code.length;
}));
if (!process.env.BENCH_SKIP_ISTANBUL) {
  const { createInstrumenter } = require('istanbul-lib-instrument');
  const istanbul = createInstrumenter({ esModules: false, produceSourceMap: true, compact: true });
  rows.push(best('istanbul-lib-instrument (+ map)', () => istanbul.instrumentSync(code, file), 1));
}

const parseRow = rows[0];
console.log(`input: ${file} (${mb.toFixed(2)} MB), ${sites} sites, output ${(outBytes / 1e6).toFixed(2)} MB (${(outBytes / Buffer.byteLength(code)).toFixed(2)}x)`);
console.log('| what | ms | MB/s | vs bare parse |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.mbps.toFixed(2)} | ${(r.mbps / parseRow.mbps).toFixed(2)} |`);
const ours = rows[1];
const ist = rows[2];
if (ist) console.log(`trapdoor is ${(ours.mbps / ist.mbps).toFixed(1)}x istanbul's speed; target: >= 0.5x bare parse (now ${(ours.mbps / parseRow.mbps).toFixed(2)}x)`);
