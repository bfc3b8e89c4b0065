// npm run bench:transform — instruments typescript's lib/typescript.js (about 9 MB) and prints
// MB/s for trapdoor's transform, next to a bare @babel/parser parse of the same file and
// istanbul's instrumenter, in the same run. Best of N runs each, after one warm-up. trapdoor
// parses with oxc-parser where it loads; the row "Babel parse" forces @babel/parser.
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parse } from '@babel/parser';
import { instrument } from '@trapdoor-js/transform';
import { writeResults } from './results-file.mjs';

const require = createRequire(import.meta.url);
const file = require.resolve('typescript/lib/typescript.js');
const code = readFileSync(file, 'utf8');
const mb = Buffer.byteLength(code) / 1e6;
const runs = Number(process.env.BENCH_RUNS ?? 3);
// The transform's internal parser switch (packages/transform/src/parse.ts), in the instance imported above.
const transformEntry = realpathSync(require.resolve('@trapdoor-js/transform'));
const { useParser, parserInUse } = await import(pathToFileURL(path.join(path.dirname(transformEntry), 'parse.js')).href);
const oxc = createRequire(transformEntry)('oxc-parser');

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
rows.push(best('oxc-parser parse only (no conversion)', () => oxc.parseSync(file, code, { sourceType: 'script', lang: 'js' }).program));
const parser = parserInUse();
rows.push(best(`trapdoor instrument (${parser} parse, + token map)`, () => {
  const r = instrument(code, { filename: file, moduleType: 'cjs' });
  sites = r.sites.length;
  outBytes = r.code.length;
}));
useParser('babel');
rows.push(best('trapdoor instrument (Babel parse, + token map)', () => instrument(code, { filename: file, moduleType: 'cjs' })));
useParser('auto');
if (!process.env.BENCH_SKIP_ISTANBUL) {
  const { createInstrumenter } = require('istanbul-lib-instrument');
  const istanbul = createInstrumenter({ esModules: false, produceSourceMap: true, compact: true });
  rows.push(best('istanbul-lib-instrument (+ map)', () => istanbul.instrumentSync(code, file), 1));
}

const parseRow = rows[0];
// Printed, and the report's table (bench/results/transform.md).
const out = [];
const log = (line) => {
  out.push(line);
  console.log(line);
};
log(`node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; oxc ${oxc.rawTransferSupported() ? 'raw' : 'JSON'} transfer`);
log(`input: ${file} (${mb.toFixed(2)} MB), ${sites} sites, output ${(outBytes / 1e6).toFixed(2)} MB (${(outBytes / Buffer.byteLength(code)).toFixed(2)}x)`);
log('| what | ms | MB/s | vs bare parse |');
log('|---|---:|---:|---:|');
for (const r of rows) log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.mbps.toFixed(2)} | ${(r.mbps / parseRow.mbps).toFixed(2)} |`);
const ours = rows[2];
const ist = rows[4];
if (ist) log(`trapdoor is ${(ours.mbps / ist.mbps).toFixed(1)}x istanbul's speed; target: >= 0.5x bare parse (now ${(ours.mbps / parseRow.mbps).toFixed(2)}x)`);

writeResults('transform.md', 'Transform throughput (`npm run bench:transform`)', [
  `Best of ${runs} runs each after a warm-up, in one process.`,
  '',
  ...out.map((l) => (l.startsWith('|') ? l : `${l}  `)),
]);
