// npm run demo: what trapdoor does today, end to end, in a few seconds.
//  1. instruments examples/stuck.js with @trapdoor/transform and prints its sites;
//  2. runs the instrumented program, which gets stuck in `while (found === null)`;
//  3. from another thread, raises the control block's request flag: the next check in the
//     spinning loop calls the runtime's trap(), which prints where the program is and its
//     locals, then ends it. (Attaching Chrome DevTools / node inspect comes with issue 3.)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { instrument } from '@trapdoor/transform';

const here = path.dirname(fileURLToPath(import.meta.url));
const input = path.join(here, 'stuck.js');
const outDir = path.join(here, '..', 'test', '.tmp', 'demo');
mkdirSync(outDir, { recursive: true });

const started = performance.now();
const { code, sites } = instrument(readFileSync(input, 'utf8'), { filename: input, moduleType: 'cjs' });
const ms = (performance.now() - started).toFixed(1);
console.log(`$ instrument examples/stuck.js   (${sites.length} sites, ${ms} ms)`);
for (const s of sites) {
  const where = `${path.relative(process.cwd(), s.source)}:${s.line}:${s.column + 1}`;
  console.log(`  ${s.kind.padEnd(8)} ${where.padEnd(26)} in ${(s.functionName || '(top level)').padEnd(13)} locals: ${s.locals.join(', ') || '-'}`);
}
const program = path.join(outDir, 'stuck.cjs');
writeFileSync(program, code);

// The "debugger": a preload that, 500 ms after start, raises the flag from a worker thread
// (as the native signal watcher will), and a trap handler that reports the site and exits.
const preload = path.join(outDir, 'interrupt.cjs');
writeFileSync(preload, `
const { Worker } = require('node:worker_threads');
const runtime = require('@trapdoor/runtime');
runtime.setTrapHandler((thunk, index, locals) => {
  const mod = runtime.moduleOf(thunk);
  const site = mod.sites[index];
  const vars = site.locals.map((name, i) => name + ' = ' + require('node:util').inspect(locals[i])).join(', ');
  console.log('trapped in a ' + site.kind + ' at ' + require('node:path').relative(process.cwd(), site.source) + ':' + site.line + ':' + (site.column + 1) + ' (' + (site.functionName || 'top level') + ')');
  console.log('  locals: ' + vars);
  process.exit(0);
});
const worker = new Worker('const { workerData } = require("node:worker_threads"); setTimeout(() => Atomics.store(workerData, 0, 1), 500);', { eval: true, workerData: runtime.flags });
worker.unref();
`);

console.log('\n$ node examples/stuck.js (instrumented; interrupted from another thread after 500 ms)');
const t0 = performance.now();
const run = spawnSync(process.execPath, ['-r', preload, program], { encoding: 'utf8', timeout: 15_000 });
process.stdout.write(run.stdout.replace(/^/gm, '  '));
process.stderr.write(run.stderr);
console.log(`  exit code ${run.status} after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
if (run.status !== 0) process.exit(1);
