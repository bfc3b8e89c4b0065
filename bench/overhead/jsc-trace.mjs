// npm run bench:overhead's diagnostic for Bun (issue 10): what JavaScriptCore does with the checks,
// counted rather than timed, so it holds on a loaded machine. For each workload and each variant
// folder of BENCH_WORK (run bench:overhead first; BENCH_COMPARE folders too), one process runs
// the workload alone (one.cjs) with
//   BUN_JSC_reportCompileTimes=1        each compiled function with its bytecode cost and tier;
//   BUN_JSC_printEachDFGFTLInlineCall=1 each call the DFG or the FTL inlined.
// It prints, per variant: the functions compiled in both plain and the variant, how much their
// bytecode cost grew (median, 90th percentile), how many crossed the DFG's and the FTL's inlining
// limits (BUN_JSC_dumpOptions=2: maximumFunctionForCallInlineCandidateBytecodeCostForDFG 80,
// …ForFTL 170), and the inlined calls. The cost is about the bytecode's size in bytes.
//
// node bench/overhead/jsc-trace.mjs [variant folder…]   (default: trapdoor-bun)
// Two derived folders can be named too, made here from trapdoor-bun (diagnostics: their code
// cannot be trapped everywhere): `no-entry-checks` (the statement checks at function entries
// taken out) and `no-statement-checks` (all statement checks taken out).
// Environment: BENCH_WORKLOADS (terser,typescript), BENCH_WORK (bench/.tmp/overhead), BENCH_RUNS (20; TypeScript: 3).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..', '..');
const WORK = resolve(ROOT, process.env.BENCH_WORK ?? 'bench/.tmp/overhead');
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? 'terser,typescript').split(',').filter(Boolean);
const VARIANTS = process.argv.length > 2 ? process.argv.slice(2) : ['trapdoor-bun'];
const LIMITS = { DFG: 80, FTL: 170 };
const bun = join(ROOT, 'node_modules/.bin/bun');

// A statement check as emit.ts writes it (the universal form), its site index captured.
// Both spacings: the transform writes it without spaces since f299115 (`if((__td_F[1]=17,__td_F[0])!==0){…}`);
// both slow paths: `const __td_w=…;if(__td_w!==void 0)` before, `const w=…;if(w)` since (or `__td_w` where a local is `w`).
const CHECK = /if ?\(\(__td\d*_F\[1\] ?= ?(\d+), ?__td\d*_F\[0\]\) ?!== ?0\) ?\{const (__td\d*_w|w) ?= ?[^;]*; ?if ?\(\2(?: ?!== ?void 0)?\) ?(?:if ?\(\2\.length\) ?[^;]*; ?else ?)?throw \2;\}/g;
const DERIVED = { 'no-entry-checks': (kind) => kind === 1, 'no-statement-checks': () => true };

/** The site table's kinds (0 loop, 1 function entry), read from the module's footer (version 2: JSON in a string; 1: an object literal). */
function kinds(code) {
  const v2 = /\/\*trapdoor:2\*\/('(?:[^'\\\n]|\\.)*')\}/.exec(code.slice(code.lastIndexOf('/*trapdoor:2*/')));
  if (v2 !== null) return JSON.parse(Function(`return ${v2[1]}`)()).sites.map((row) => row[0]);
  const start = code.lastIndexOf('/*trapdoor:1*/') + '/*trapdoor:1*/'.length;
  let depth = 0;
  let end = start;
  for (let inString = false; end < code.length; end++) {
    const c = code[end];
    if (inString) {
      if (c === '\\') end++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) break;
  }
  return Function(`return ${code.slice(start, end + 1)}`)().sites.map((row) => row[0]);
}

function derive(name) {
  const drop = DERIVED[name];
  const from = join(WORK, 'trapdoor-bun');
  let removed = 0;
  for (const file of readdirSync(from, { recursive: true })) {
    const src = join(from, file);
    if (!statSync(src).isFile() || file.endsWith('.stamp')) continue;
    let code = readFileSync(src, 'utf8');
    if (code.includes('/*trapdoor:1*/') || code.includes('/*trapdoor:2*/')) {
      const kind = kinds(code);
      code = code.replace(CHECK, (check, site) => (drop(kind[Number(site)]) ? (removed++, '') : check));
    }
    mkdirSync(dirname(join(WORK, name, file)), { recursive: true });
    writeFileSync(join(WORK, name, file), code);
  }
  process.stderr.write(`jsc-trace: ${name}: ${removed} checks taken out of trapdoor-bun's copies\n`);
}

for (const v of VARIANTS) if (DERIVED[v] !== undefined) derive(v);
for (const v of ['plain', ...VARIANTS]) {
  if (!existsSync(join(WORK, v))) {
    process.stderr.write(`jsc-trace: no ${join(WORK, v)}; run npm run bench:overhead (BENCH_RUNTIMES=bun) first\n`);
    process.exit(2);
  }
}

function trace(variant, workload) {
  const runs = process.env.BENCH_RUNS ?? (workload === 'typescript' ? '3' : '20');
  const r = spawnSync(bun, [join(here, 'one.cjs'), join(WORK, variant), workload, runs], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, BUN_JSC_reportCompileTimes: '1', BUN_JSC_printEachDFGFTLInlineCall: '1' },
  });
  if (r.status !== 0) throw new Error(`${variant} ${workload}: exit ${r.status}\n${r.stderr.slice(-2000)}`);
  const cost = new Map();
  const inlined = { DFG: 0, FTL: 0 };
  for (const line of (r.stdout + r.stderr).split('\n')) {
    const c = /^Optimized ([\w$]+)#\w+:\[[^,]*, \w+, (\d+)/.exec(line);
    if (c) cost.set(c[1], Number(c[2]));
    const i = /^\[InlineCall\]\[(DFG|FTL)\]/.exec(line);
    if (i) inlined[i[1]]++;
  }
  return { cost, inlined };
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
for (const workload of WORKLOADS) {
  const plain = trace('plain', workload);
  console.log(`\n${workload}: plain inlined ${plain.inlined.DFG} calls in the DFG, ${plain.inlined.FTL} in the FTL`);
  console.log('| variant | functions | cost added, median / p90 | crossed the DFG limit | crossed the FTL limit | calls inlined DFG / FTL |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const v of VARIANTS) {
    const t = trace(v, workload);
    const added = [];
    const crossed = { DFG: 0, FTL: 0 };
    for (const [name, before] of plain.cost) {
      const after = t.cost.get(name);
      if (after === undefined) continue;
      added.push(after - before);
      for (const tier of ['DFG', 'FTL']) if (before <= LIMITS[tier] && after > LIMITS[tier]) crossed[tier]++;
    }
    added.sort((a, b) => a - b);
    console.log(`| ${v} | ${added.length} | ${pct(added, 0.5)} / ${pct(added, 0.9)} | ${crossed.DFG} | ${crossed.FTL} | ${t.inlined.DFG} / ${t.inlined.FTL} |`);
  }
}
