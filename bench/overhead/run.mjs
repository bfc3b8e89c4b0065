// npm run bench:overhead — what trap-mode instrumentation costs at run time (issue 10).
//
// 1. Variants: each workload's files (workloads.cjs) as published (plain), instrumented by
//    trapdoor's own CLI (`trapdoor instrument <file> -o … --module-type cjs`), by
//    istanbul-lib-instrument (coverage counters), and by two loop guards in the manner of
//    loop-protect (a `Date.now()` check, and a counter, at every loop body).
// 2. For each runtime (node, bun, deno) one driver process (driver.cjs) loads all variants side
//    by side, checks that every variant's output is byte-identical to the plain one's, and times
//    them in alternating rounds (the order rotated each round), medians per variant.
// 3. Writes bench/results/overhead.md (ratios to plain per workload, geometric means, targets,
//    code size raw and gzipped) and bench/results.md (report.mjs: machine, runtime versions and
//    every bench/results/*.md).
//
// Environment: BENCH_RUNTIMES (node,bun,deno), BENCH_WORKLOADS (all), BENCH_VARIANTS
// (plain,trapdoor,istanbul,guard-date,guard-count,no-locals,all-entries,universal), BENCH_ROUNDS (11), BENCH_WARMUP (3),
// BENCH_SCALE (1; the harness test uses a tiny one), BENCH_WORK (bench/.tmp/overhead; must be
// inside the repo so the copies resolve its node_modules), BENCH_RESULTS (bench/results),
// BENCH_REPORT (bench/results.md), BENCH_REPORT_ONLY=1 (rewrite the tables from the last run's
// results.json, running nothing).
//
// Why Bun pays what it pays, counted instead of timed (holds on a loaded machine): after a run,
// `node bench/overhead/jsc-trace.mjs [variant folder…]` (bytecode cost per function and the calls
// JavaScriptCore's DFG and FTL inlined, plain vs each folder of BENCH_WORK). Where to look:
// `node bench/overhead/check-counts.cjs [folder] [workload]` (how often each check runs, per site);
// `node bench/overhead/derive.mjs <name>…` (trapdoor-bun's copies with one kind of check changed
// or taken out, to time against trapdoor with BENCH_COMPARE=<name>).
import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeReport, runtimeVersions } from '../report.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..', '..');
const { WORKLOADS } = require('./workloads.cjs');

const env = process.env;
const list = (v, all) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : all);
const RUNTIMES = list(env.BENCH_RUNTIMES, ['node', 'bun', 'deno']);
const ALL_VARIANTS = ['plain', 'trapdoor', 'istanbul', 'guard-date', 'guard-count', 'no-locals', 'all-entries', 'universal'];
/**
 * Where the time goes (diagnostics, not products): trapdoor's copies with the locals taken out of
 * every check (`no-locals`: what passing them costs), with every function entry checked
 * (`all-entries`: what leaving entries out saved), and in the universal form (`universal`: on
 * Node and Deno, what the scratch store would cost). Their outputs are checked like the others'.
 */
const DIAGNOSTICS = ['no-locals', 'all-entries', 'universal'];
const VARIANTS = ['plain', ...list(env.BENCH_VARIANTS, ALL_VARIANTS).filter((v) => v !== 'plain')];
// BENCH_COMPARE=<name>: also time the copies already in <BENCH_WORK>/<name> (e.g. an earlier
// build's trapdoor copies kept there), for before/after figures from one run. `{runtime}` in the
// name stands for each runtime's own folder (before-{runtime}: before-node, before-bun, …). The
// report then has a table of trapdoor's time over each compared copy's, paired by round.
const COMPARE = list(env.BENCH_COMPARE, []);
const NAMES = list(env.BENCH_WORKLOADS, WORKLOADS.map((w) => w.name));
const ROUNDS = Number(env.BENCH_ROUNDS ?? 11);
const WARMUP = Number(env.BENCH_WARMUP ?? 3);
const SCALE = Number(env.BENCH_SCALE ?? 1);
const WORK = resolve(ROOT, env.BENCH_WORK ?? 'bench/.tmp/overhead');
const RESULTS = resolve(ROOT, env.BENCH_RESULTS ?? 'bench/results');
const REPORT = resolve(ROOT, env.BENCH_REPORT ?? 'bench/results.md');
const TARGETS = { node: 1.03, bun: 1.05, deno: 1.05 };

for (const n of NAMES) if (!WORKLOADS.some((w) => w.name === n)) fail(`BENCH_WORKLOADS: unknown workload ${JSON.stringify(n)}; expected ${WORKLOADS.map((w) => w.name).join(', ')}`);
for (const c of COMPARE) if (!/^[\w-]*(?:\{runtime\}[\w-]*)?$/.test(c) || c === '' || ALL_VARIANTS.includes(c)) fail(`BENCH_COMPARE: ${JSON.stringify(c)} must name a folder of BENCH_WORK other than a variant's`);
for (const v of VARIANTS) if (!ALL_VARIANTS.includes(v)) fail(`BENCH_VARIANTS: unknown variant ${JSON.stringify(v)}; expected ${ALL_VARIANTS.join(', ')}`);
for (const r of RUNTIMES) if (!TARGETS[r]) fail(`BENCH_RUNTIMES: unknown runtime ${JSON.stringify(r)}; expected node, bun, deno`);
if (!WORK.startsWith(ROOT + '/')) fail(`BENCH_WORK must be inside the repository (${ROOT}), so that the copies resolve its node_modules`);

function fail(message) {
  process.stderr.write(`bench:overhead: ${message}\n`);
  process.exit(2);
}
const log = (msg) => process.stderr.write(`[overhead] ${msg}\n`);
const workloads = WORKLOADS.filter((w) => NAMES.includes(w.name));

// ---------------------------------------------------------------- variants --------------------
/** Where a variant's copy (plain too, so every variant loads from the same kind of place) of a repo-relative file goes; node_modules renamed, so no tool skips it. */
const copyPath = (variant, file) => join(WORK, variant, file.replace(/(^|\/)node_modules\//g, '$1modules/'));

const cli = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
/** Each runtime runs the copies instrumented for it (`--target`: V8's check has no store). */
const trapdoorDir = (runtime) => `trapdoor-${runtime}`;
const noLocalsDir = (runtime) => `no-locals-${runtime}`;
const rootOf = (variant, runtime) =>
  variant === 'trapdoor' ? trapdoorDir(runtime) : variant === 'no-locals' ? noLocalsDir(runtime) : variant === 'universal' ? trapdoorDir('bun') : variant.replace('{runtime}', runtime);

/** The check without its locals: `T(M, 7, a, this)` → `T(M, 7)`, write-backs → `void 0` (diagnostic only). */
function withoutLocals(code) {
  return code.replace(/(__td\d*_T\(__td\d*_M, ?\d+)(?:, ?[\w$]+)*\)/g, '$1)').replace(/\(\{(?:\d+: ?[\w$]+(?:, ?)?)+\} ?= ?__td\d*_W\)/g, 'void 0');
}

function instrumentAllEntries(file, out) {
  const { instrument } = require('@trapdoor-js/transform');
  const r = instrument(readFileSync(join(ROOT, file), 'utf8'), { filename: join(ROOT, file), moduleType: 'cjs', target: 'any', entryChecks: 'all' });
  writeOut(out, r.code);
}
function instrumentTrapdoor(file, out, target) {
  const r = spawnSync(process.execPath, [cli, 'instrument', join(ROOT, file), '-o', out, '--module-type', 'cjs', '--target', target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`trapdoor instrument ${file} failed (exit ${r.status}):\n${r.stderr}`);
}

function instrumentIstanbul(file, out) {
  const { createInstrumenter } = require('istanbul-lib-instrument');
  const code = readFileSync(join(ROOT, file), 'utf8');
  const instrumenter = createInstrumenter({ esModules: false, compact: true, produceSourceMap: false, coverageVariable: '__coverage__' });
  writeOut(out, instrumenter.instrumentSync(code, join(ROOT, file)));
}

/**
 * The reference loop guards, in the manner of loop-protect: before each loop a fresh start time
 * (or counter), at the top of its body a check that throws past a limit no workload reaches.
 */
function instrumentGuard(kind, file, out) {
  const babel = require('@babel/core');
  const code = readFileSync(join(ROOT, file), 'utf8');
  let n = 0;
  const plugin = ({ types: t, template }) => ({
    visitor: {
      Loop(path) {
        const id = t.identifier(`__lg${n++}`);
        const init = kind === 'date' ? template.statement.ast`var ${id} = Date.now();` : template.statement.ast`var ${id} = 0;`;
        const check =
          kind === 'date'
            ? template.statement.ast`if (Date.now() - ${id} > 1e9) throw new RangeError("loop guard");`
            : template.statement.ast`if (++${id} > 1e12) throw new RangeError("loop guard");`;
        const body = path.get('body');
        if (body.isBlockStatement()) body.unshiftContainer('body', check);
        else body.replaceWith(t.blockStatement([check, body.node]));
        const target = path.parentPath.isLabeledStatement() ? path.parentPath : path;
        target.insertBefore(init);
      },
    },
  });
  const r = babel.transformSync(code, { babelrc: false, configFile: false, sourceType: 'script', retainLines: true, compact: false, plugins: [plugin], filename: file });
  writeOut(out, r.code);
}

function writeOut(out, text) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}

/** Stamp of what a copy was made from: the file and, for trapdoor, the transform and CLI builds. */
function stamp(variant, file) {
  const parts = [variant, file, statSync(join(ROOT, file)).mtimeMs];
  if (variant.startsWith('trapdoor-') || variant.startsWith('no-locals-') || variant === 'all-entries') {
    for (const d of ['packages/transform/dist/index.js', 'packages/transform/dist/emit.js', 'packages/transform/dist/sites.js', 'packages/transform/dist/scope.js']) {
      if (existsSync(join(ROOT, d))) parts.push(statSync(join(ROOT, d)).mtimeMs);
    }
  }
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

function prepare() {
  const dirs = [...new Set(VARIANTS.flatMap((v) => {
    if (v === 'trapdoor') return RUNTIMES.map(trapdoorDir);
    if (v === 'no-locals') return [...RUNTIMES.map(trapdoorDir), ...RUNTIMES.map(noLocalsDir)];
    if (v === 'universal') return [trapdoorDir('bun')];
    return [v];
  }))];
  for (const variant of dirs) {
    // Every file here is a script (UMD or CommonJS); marked's package.json says "type": "module".
    writeOut(join(WORK, variant, 'package.json'), '{ "type": "commonjs" }\n');
    for (const w of workloads) {
      for (const file of w.files) {
        const out = copyPath(variant, file);
        const stampFile = out + '.stamp';
        const s = stamp(variant, file);
        if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === s) continue;
        const t = performance.now();
        if (variant === 'plain') writeOut(out, readFileSync(join(ROOT, file)));
        else if (variant.startsWith('trapdoor-')) instrumentTrapdoor(file, out, variant.slice('trapdoor-'.length));
        else if (variant.startsWith('no-locals-')) writeOut(out, withoutLocals(readFileSync(copyPath(trapdoorDir(variant.slice('no-locals-'.length)), file), 'utf8')));
        else if (variant === 'all-entries') instrumentAllEntries(file, out);
        else if (variant === 'istanbul') instrumentIstanbul(file, out);
        else instrumentGuard(variant === 'guard-date' ? 'date' : 'count', file, out);
        writeFileSync(stampFile, s);
        log(`${variant}: ${file} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      }
    }
  }
}

// ---------------------------------------------------------------- drivers ---------------------
function command(runtime, driver, configFile) {
  const bin = (name) => join(ROOT, 'node_modules/.bin', name);
  switch (runtime) {
    case 'node':
      return [process.execPath, [driver, configFile]];
    case 'bun':
      return [bin('bun'), [driver, configFile]];
    case 'deno':
      // -A: the runtime's signal watcher is an FFI addon and it writes its state file.
      return [bin('deno'), ['run', '-A', '--no-config', driver, configFile]];
  }
}

function runDriver(runtime) {
  const out = join(WORK, `result-${runtime}.json`);
  rmSync(out, { force: true });
  const configFile = join(WORK, `config-${runtime}.json`);
  // The universal form is a diagnostic on V8 only: on Bun it is what trapdoor runs.
  const names = [...VARIANTS, ...COMPARE].filter((v) => !(v === 'universal' && runtime === 'bun'));
  const variants = names.map((name) => ({ name, root: join(WORK, rootOf(name, runtime)) }));
  writeFileSync(configFile, JSON.stringify({ runtime, root: ROOT, variants, workloads: NAMES, rounds: ROUNDS, warmup: WARMUP, scale: SCALE, out }));
  const [cmd, args] = command(runtime, join(here, 'driver.cjs'), configFile);
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, TRAPDOOR_STATE_DIR: join(WORK, 'state') } });
    child.on('exit', (code, signal) => {
      if (!existsSync(out)) resolvePromise({ runtime, error: `driver exited ${code ?? signal} without results` });
      else resolvePromise(JSON.parse(readFileSync(out, 'utf8')));
    });
  });
}

// ---------------------------------------------------------------- report ----------------------
const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const fmt = (x) => (typeof x === "number" && Number.isFinite(x) ? `${x.toFixed(3)}×` : "–");

function sizes() {
  const rows = [];
  for (const w of workloads) {
    const size = (variant) => {
      let raw = 0, gz = 0;
      for (const file of w.files) {
        const text = readFileSync(copyPath(rootOf(variant, RUNTIMES[0]), file));
        raw += text.length;
        gz += gzipSync(text, { level: 9 }).length;
      }
      return { raw, gz };
    };
    rows.push({ name: w.name, sizes: Object.fromEntries([...VARIANTS, ...COMPARE].filter((v) => !DIAGNOSTICS.includes(v)).map((v) => [v, size(v)])) });
  }
  return rows;
}

const LABEL = {
  trapdoor: 'trapdoor',
  istanbul: 'istanbul',
  'guard-date': 'loop guard (Date.now)',
  'guard-count': 'loop guard (counter)',
  'no-locals': 'checks without locals',
  'all-entries': 'every entry checked',
  universal: 'universal check (with store)',
};
const REAL = new Set(['acorn', 'marked', 'terser', 'prettier', 'typescript']);

function markdown(all, sizeRows, started) {
  for (const c of COMPARE) LABEL[c] = c;
  const shown = [...VARIANTS.filter((v) => v !== 'plain' && !DIAGNOSTICS.includes(v)), ...COMPARE];
  const diagnostics = VARIANTS.filter((v) => DIAGNOSTICS.includes(v));
  const lines = [];
  lines.push('## Runtime overhead in trap mode', '');
  lines.push(
    "Each package's own published files, instrumented by `trapdoor instrument --target <runtime>` (and, as reference points, by istanbul-lib-instrument and by a loop-protect-style guard at every loop body), loaded side by side in one process per runtime. Alternating rounds (order rotated); each figure is a variant's median time over plain's median (lower is better); *paired* is the median over rounds of trapdoor's time over plain's in the same round, another estimate of the same ratio (the two differ by about the noise). Time is the process's CPU time (`process.cpuUsage()`, all threads), so that waiting for a core on a shared machine does not count; wall-clock ratios of trapdoor are given too. `output` says whether every variant's output was byte-identical to the plain run's.",
    '',
  );
  lines.push(`Rounds: ${ROUNDS} (TypeScript: half, at least 3) after ${WARMUP} warm-up rounds; scale ${SCALE}. Started ${new Date(started).toISOString()}; the load average (1 min) at the start and end of each workload is in the last column: other processes ran on this 2-core machine, and the figures are only as steady as that allows.`, '');
  const gm = {};
  for (const r of all) {
    lines.push(`### ${r.runtime}`, '');
    if (r.error) {
      lines.push(`**Failed:** ${r.error}`, '');
      continue;
    }
    lines.push(`| workload | plain (ms CPU) | ${shown.map((v) => LABEL[v]).join(' | ')} | trapdoor (paired) | trapdoor (wall) | output | load |`);
    lines.push(`|---|---:|${shown.map(() => '---:|').join('')}---:|---:|---|---|`);
    const ratios = { real: Object.fromEntries(shown.map((v) => [v, []])), classic: Object.fromEntries(shown.map((v) => [v, []])) };
    for (const w of r.results) {
      if (w.error) {
        lines.push(`| ${w.name} | **failed:** ${w.error.split('\n')[0]} |`);
        continue;
      }
      const cells = shown.map((v) => {
        const x = w.medians[v] / w.medians.plain;
        if (w.identical[v]) ratios[REAL.has(w.name) ? 'real' : 'classic'][v].push(x);
        return w.identical[v] ? fmt(x) : `${fmt(x)} (output differs)`;
      });
      const variants = Object.keys(w.identical);
      const same = variants.every((v) => w.identical[v]) ? 'identical' : `**differs:** ${variants.filter((v) => !w.identical[v]).join(', ')}`;
      const wall = w.wallMedians.trapdoor !== undefined ? fmt(w.wallMedians.trapdoor / w.wallMedians.plain) : '';
      lines.push(`| ${w.name} | ${w.medians.plain.toFixed(1)} | ${cells.join(' | ')} | ${fmt(w.ratios.trapdoor)} | ${wall} | ${same} | ${w.load.map((x) => x.toFixed(1)).join('→')} |`);
    }
    for (const [group, label] of [['real', 'geometric mean, real packages'], ['classic', 'geometric mean, classic benchmarks']]) {
      const means = shown.map((v) => (ratios[group][v].length ? geomean(ratios[group][v]) : NaN));
      if (Number.isNaN(means[0])) continue;
      if (group === 'real') gm[r.runtime] = means[0];
      lines.push(`| **${label}** | | ${means.map((m) => `**${Number.isNaN(m) ? '–' : fmt(m)}**`).join(' | ')} | | | | |`);
    }
    lines.push('');
  }
  if (VARIANTS.includes('trapdoor') && Object.keys(gm).length > 0) {
    lines.push('### Against the budget', '', 'The budget is for real workloads: the geometric mean over the real packages above.', '', '| runtime | trapdoor | budget | |', '|---|---:|---:|---|');
    for (const [rt, m] of Object.entries(gm)) lines.push(`| ${rt} | ${fmt(m)} | ${fmt(TARGETS[rt])} | ${m <= TARGETS[rt] ? 'met' : '**missed**'} |`);
    lines.push('');
  }
  if (diagnostics.length > 0) {
    lines.push('### Where the time goes', '');
    lines.push(
      "trapdoor's copies changed one way each, measured in the same rounds (ratios of medians to plain, as above): **checks without locals** — the slow path's locals array and write-back removed (what passing the locals costs: bytecode size, which decides V8's inlining, and values kept alive at every check); **every entry checked** — `entryChecks: 'all'` (what leaving out the entry checks of functions that cannot spin saves); **universal check** — the form with the scratch store that Bun needs, on Node and Deno (what the store would cost there). What is left between *checks without locals* and 1.000× is the checks themselves: a load and a branch at every loop iteration and function entry.",
      '',
    );
    lines.push(`| runtime | workload | trapdoor | ${diagnostics.map((v) => LABEL[v]).join(' | ')} |`, `|---|---|---:|${diagnostics.map(() => '---:|').join('')}`);
    for (const r of all) {
      if (r.error) continue;
      for (const w of r.results) {
        if (w.error) continue;
        const ratio = (v) => (w.medians[v] === undefined ? '–' : fmt(w.medians[v] / w.medians.plain));
        lines.push(`| ${r.runtime} | ${w.name} | ${ratio('trapdoor')} | ${diagnostics.map(ratio).join(' | ')} |`);
      }
    }
    lines.push('');
  }
  if (VARIANTS.includes('trapdoor') && COMPARE.length > 0) lines.push(...pairedAgainst(all));
  const sizeCols = [...VARIANTS.filter((v) => v !== 'plain' && !DIAGNOSTICS.includes(v)), ...COMPARE];
  lines.push('## Code size', '', `Bytes of the files each workload loads; gzip -9. trapdoor: as instrumented for ${RUNTIMES[0]}${RUNTIMES[0] === 'bun' ? ' (the universal check)' : " (the V8 check; Bun's has one store more per check)"}.`, '');
  lines.push(`| workload | plain | ${sizeCols.map((v) => LABEL[v]).join(' | ')} | plain gzipped | ${sizeCols.map((v) => `${LABEL[v]} gzipped`).join(' | ')} |`);
  lines.push(`|---|---:|${sizeCols.map(() => '---:|').join('')}---:|${sizeCols.map(() => '---:|').join('')}`);
  for (const row of sizeRows) {
    const p = row.sizes.plain;
    const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
    lines.push(
      `| ${row.name} | ${kb(p.raw)} | ${sizeCols.map((v) => `${kb(row.sizes[v].raw)} (${fmt(row.sizes[v].raw / p.raw)})`).join(' | ')} | ${kb(p.gz)} | ${sizeCols.map((v) => `${kb(row.sizes[v].gz)} (${fmt(row.sizes[v].gz / p.gz)})`).join(' | ')} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * trapdoor against each BENCH_COMPARE copy: per round, trapdoor's time over the compared copy's
 * in that same round, the median over rounds. A before/after change is usually smaller than the
 * spread of either figure over plain (single workloads move by ±5–10% between the median and the
 * paired estimate on a loaded machine), and the rounds' own load cancels out of this ratio.
 */
function pairedAgainst(all) {
  const median = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  };
  const lines = ['### trapdoor against the compared copies', '', 'Per round, trapdoor\'s CPU time over the compared copy\'s in the same round; the median over rounds (below 1: trapdoor is faster), and the geometric mean over the real packages.', ''];
  lines.push(`| runtime | workload | ${COMPARE.map((c) => `trapdoor / ${c}`).join(' | ')} | load |`, `|---|---|${COMPARE.map(() => '---:|').join('')}---|`);
  for (const r of all) {
    if (r.error) continue;
    const real = Object.fromEntries(COMPARE.map((c) => [c, []]));
    for (const w of r.results) {
      if (w.error || w.samples.trapdoor === undefined) continue;
      const cells = COMPARE.map((c) => {
        const theirs = w.samples[c];
        if (theirs === undefined) return '–';
        const x = median(w.samples.trapdoor.map((t, i) => t / theirs[i]));
        if (REAL.has(w.name)) real[c].push(x);
        return fmt(x);
      });
      lines.push(`| ${r.runtime} | ${w.name} | ${cells.join(' | ')} | ${w.load.map((x) => x.toFixed(1)).join('→')} |`);
    }
    const means = COMPARE.map((c) => (real[c].length ? `**${fmt(geomean(real[c]))}**` : '–'));
    if (COMPARE.some((c) => real[c].length)) lines.push(`| ${r.runtime} | **geometric mean, real packages** | ${means.join(' | ')} | |`);
  }
  lines.push('');
  return lines;
}

const started = Date.now();
if (env.BENCH_REPORT_ONLY === '1') {
  // Rewrites the tables from the last run's results (WORK/results.json) without running anything.
  const last = JSON.parse(readFileSync(join(WORK, 'results.json'), 'utf8'));
  writeFileSync(join(RESULTS, 'overhead.md'), markdown(last.results ?? last, sizes(), last.started ?? started));
  writeReport(RESULTS, REPORT);
  process.exit(0);
}
mkdirSync(WORK, { recursive: true });
mkdirSync(join(WORK, 'state'), { recursive: true, mode: 0o700 });
prepare();
const all = [];
for (const rt of RUNTIMES) {
  log(`${rt}: ${NAMES.join(', ')} × ${VARIANTS.join(', ')}`);
  all.push(await runDriver(rt));
}
writeFileSync(join(WORK, 'results.json'), JSON.stringify({ started, results: all }, null, 1));
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'overhead.md'), markdown(all, sizes(), started));
writeReport(RESULTS, REPORT);
log(`wrote ${relative(ROOT, join(RESULTS, 'overhead.md'))} and ${relative(ROOT, REPORT)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
const failed = all.some((r) => r.error || r.results.some((w) => w.error || Object.values(w.identical).some((x) => !x)));
process.exitCode = failed ? 1 : 0;
