// npm run bench:checks — chooses the check form (DESIGN.md, section 1) by measurement.
//
// 1. Cost: for each candidate check form and each way F is bound (module const, ESM import),
//    a generated program runs three workloads (counting loop, small function called in a loop,
//    loop over an array of objects) on node, bun and deno, one child process at a time.
//    Each workload is warmed up, sized to BENCH_MS per repetition, and timed BENCH_REPS times;
//    the whole set runs BENCH_ROUNDS times (order rotated) and the best time is kept.
// 2. Fires: for each form, binding and runtime, a warmed-up tight empty `while (true) { CHECK }`
//    must see a flag set by another thread (Atomics.store from a worker 300 ms later) and exit
//    through the slow path; a child still spinning after FIRE_TIMEOUT_MS HANGS.
// 3. Recommendation: among forms that fire everywhere, the one with the lowest geometric-mean
//    overhead; the form the transform emits today is kept unless another is cheaper by more
//    than the noise margin.
//
// What a check's `this` costs at a function's entry on Bun, per tier: bench/check-forms/this-entry.mjs.
//
// Environment: BENCH_ROUNDS (3), BENCH_REPS (21), BENCH_MS (5), FIRE_TIMEOUT_MS (5000),
// BENCH_RUNTIMES (node,bun,deno), BENCH_NOISE (0.03), BENCH_KEEP=1 keeps the generated programs.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import {
  BINDINGS,
  CURRENT_FORM,
  FORMS,
  RUNTIMES,
  WORKLOADS,
  benchProgram,
  checkFires,
  killAll,
  makeWorkDir,
  runProgram,
  runtimeCommand,
} from './programs.mjs';

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const REPS = Number(env.BENCH_REPS ?? 21);
const TARGET_MS = Number(env.BENCH_MS ?? 5);
const FIRE_TIMEOUT_MS = Number(env.FIRE_TIMEOUT_MS ?? 5000);
const NOISE = Number(env.BENCH_NOISE ?? 0.03);
const runtimes = (env.BENCH_RUNTIMES ?? RUNTIMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);

const work = makeWorkDir();
const cleanup = () => {
  killAll();
  if (!env.BENCH_KEEP) work.dispose();
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    cleanup();
    process.exit(130);
  });
}

function version(runtime) {
  const [cmd] = runtimeCommand(runtime, 'x.mjs');
  if (runtime === 'node') return process.version;
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return (r.stdout || r.stderr || '?').split('\n')[0].trim();
}

const started = performance.now();
const log = (msg) => process.stderr.write(msg + '\n');

// ------------------------------------------------------------------ cost ----------------------
// Programs: the baseline once, then every checking form with every binding.
const combos = [{ form: 'none', binding: 'const' }];
for (const f of FORMS) if (f.id !== 'none') for (const b of BINDINGS) combos.push({ form: f.id, binding: b.id });
const key = (c) => `${c.form}/${c.binding}`;
const files = new Map(combos.map((c) => [key(c), work.write(`bench-${c.form}-${c.binding}`, benchProgram({ ...c, targetMs: TARGET_MS, reps: REPS }))]));

/** results[runtime][combo][workload] = { best: [...per round], median: [...] } */
const results = {};
const failures = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const rt of runtimes) {
    results[rt] ??= {};
    // Rotate the order each round so no form always runs first (or last) on a warm machine.
    const order = combos.map((_, i) => combos[(i + round * 3) % combos.length]);
    for (const c of order) {
      const k = key(c);
      log(`[bench] round ${round + 1}/${ROUNDS} ${rt} ${k}`);
      const r = await runProgram(rt, files.get(k), { timeoutMs: 120_000 });
      let out;
      try {
        out = JSON.parse(r.stdout.trim().split('\n').pop());
      } catch {
        failures.push(`${rt} ${k}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim().slice(0, 300)}`);
        continue;
      }
      if (out.trapped !== 0) failures.push(`${rt} ${k}: the slow path ran ${out.trapped} times during timing`);
      results[rt][k] ??= {};
      for (const w of WORKLOADS) {
        const slot = (results[rt][k][w.id] ??= { best: [], median: [] });
        slot.best.push(out.results[w.id].best);
        slot.median.push(out.results[w.id].median);
      }
    }
  }
}
const best = (rt, k, w) => {
  const s = results[rt]?.[k]?.[w];
  return s && s.best.length ? Math.min(...s.best) : NaN;
};
const ratio = (rt, k, w) => best(rt, k, w) / best(rt, 'none/const', w);

// ------------------------------------------------------------------ fires ---------------------
const fires = {};
for (const f of FORMS) {
  if (f.id === 'none') continue;
  for (const b of BINDINGS) {
    for (const rt of runtimes) {
      log(`[fires] ${rt} ${f.id}/${b.id}`);
      const r = await checkFires(work, rt, f.id, b.id, { timeoutMs: FIRE_TIMEOUT_MS });
      let text;
      if (r.fired) text = `yes (${r.latencyMs} ms)`;
      else if (r.timedOut) text = 'HANGS';
      else text = `error: exit ${r.code}${r.signal ? ' ' + r.signal : ''} ${(r.stderr || r.stdout).trim().split('\n')[0].slice(0, 80)}`;
      fires[`${f.id}/${b.id}/${rt}`] = { fired: r.fired, text };
    }
  }
}
cleanup();

// ------------------------------------------------------------------ report --------------------
const fmt = (x) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : 'n/a');
const fmtR = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const formOf = (id) => FORMS.find((f) => f.id === id);

const lines = [];
lines.push(`check forms — ${runtimes.map((rt) => `${rt} ${version(rt)}`).join(', ')}`);
lines.push(
  `best of ${ROUNDS} rounds x ${REPS} reps of ~${TARGET_MS} ms each, after warm-up; one runtime at a time; ` +
    `load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
);
lines.push('ns per iteration (a), per call (b), per array element (c); x = ratio to no check on the same runtime');
lines.push('checks at every loop body and function entry, as the transform places them; the slow path gets every local in scope as arguments (i is shorthand)');
lines.push('');
let header = '| workload | check form | F bound as |';
let rule = '|---|---|---|';
for (const rt of runtimes) {
  header += ` ${rt} ns | ${rt} x |`;
  rule += '---:|---:|';
}
lines.push(header, rule);
for (const w of WORKLOADS) {
  for (const c of combos) {
    const f = formOf(c.form);
    const codeText = f.id === 'none' ? 'none' : `\`${f.code}\``;
    let row = `| ${w.label} | ${codeText} | ${c.form === 'none' ? '—' : c.binding} |`;
    for (const rt of runtimes) row += ` ${fmt(best(rt, key(c), w.id))} | ${fmtR(ratio(rt, key(c), w.id))} |`;
    lines.push(row);
  }
}
lines.push('');
lines.push(`fires: warmed-up \`while (true) { CHECK }\`, flag set by a worker 300 ms later (latency = store to trap); HANGS = still spinning after ${FIRE_TIMEOUT_MS / 1000} s`);
lines.push('');
lines.push(`| check form | F bound as | ${runtimes.join(' | ')} |`);
lines.push(`|---|---|${runtimes.map(() => '---').join('|')}|`);
for (const f of FORMS) {
  if (f.id === 'none') continue;
  for (const b of BINDINGS) lines.push(`| \`${f.code}\` | ${b.id} | ${runtimes.map((rt) => fires[`${f.id}/${b.id}/${rt}`].text).join(' | ')} |`);
}
lines.push('');

// Recommendation: firing everywhere is a hard requirement; then the lowest geometric-mean ratio
// over every workload, binding and runtime.
const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
const scores = [];
for (const f of FORMS) {
  if (f.id === 'none') continue;
  const firesEverywhere = BINDINGS.every((b) => runtimes.every((rt) => fires[`${f.id}/${b.id}/${rt}`].fired));
  const hangs = BINDINGS.flatMap((b) => runtimes.filter((rt) => !fires[`${f.id}/${b.id}/${rt}`].fired).map((rt) => `${rt} (${b.id})`));
  const all = [];
  const perRuntime = {};
  for (const rt of runtimes) {
    const xs = [];
    for (const b of BINDINGS) for (const w of WORKLOADS) xs.push(ratio(rt, `${f.id}/${b.id}`, w.id));
    perRuntime[rt] = geomean(xs.filter(Number.isFinite));
    all.push(...xs);
  }
  scores.push({ f, firesEverywhere, hangs, score: geomean(all.filter(Number.isFinite)), perRuntime });
}
const describe = (s) => `geomean x${s.score.toFixed(3)} (${runtimes.map((rt) => `${rt} ${s.perRuntime[rt].toFixed(3)}`).join(', ')})`;
const eligible = scores.filter((s) => s.firesEverywhere).sort((a, b) => a.score - b.score);
for (const s of [...scores].sort((a, b) => a.score - b.score)) {
  lines.push(`- \`${s.f.code}\`: ${describe(s)}; ${s.firesEverywhere ? 'fires everywhere' : `does NOT fire on ${s.hangs.join(', ')}`}`);
}
if (eligible.length === 0) {
  lines.push('RECOMMENDATION: none — no candidate form fires on every runtime.');
} else {
  const cheapest = eligible[0];
  const current = eligible.find((s) => s.f.id === CURRENT_FORM);
  let pick = cheapest;
  let why = `the cheapest form that fires on ${runtimes.join(', ')}`;
  if (current && current !== cheapest && current.score <= cheapest.score * (1 + NOISE)) {
    pick = current;
    why = `fires on ${runtimes.join(', ')}; within the ${(NOISE * 100).toFixed(0)}% noise margin of the cheapest firing form (\`${cheapest.f.code}\`, x${cheapest.score.toFixed(3)}), so the form the transform emits today stays`;
  } else if (pick.f.id === CURRENT_FORM) {
    why += ' (the form the transform emits today)';
  } else if (current) {
    why += `; cheaper than the current form (x${current.score.toFixed(3)}) by more than the ${(NOISE * 100).toFixed(0)}% noise margin`;
  }
  lines.push(`RECOMMENDATION: \`${pick.f.code}\` — ${why}; ${describe(pick)}.`);
}
if (failures.length) {
  lines.push('');
  lines.push('FAILURES:');
  for (const f of failures) lines.push(`- ${f}`);
}
console.log(lines.join('\n'));
log(`[bench:checks] ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (failures.length) process.exitCode = 1;
