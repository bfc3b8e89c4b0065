// The single source of truth for the check-form measurements (DESIGN.md, section 1):
// the candidate check forms, the ways the flag array F can be bound, the generated benchmark
// and "fires" programs, and a child-process runner for node, bun and deno.
// Used by bench/check-forms/run.mjs (npm run bench:checks) and test/check-forms-fire.test.ts.
//
// Plain Node ESM; the generated programs are plain ESM that runs unchanged on Node (V8),
// Bun (JavaScriptCore) and Deno (V8).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

// ---------------------------------------------------------------------------------------------
// Check forms. `site` is the site index, `locals` the slow path's arguments after it (comma-separated; emit.ts).
// Layout of F (16 Int32 words over a 64-byte SharedArrayBuffer):
//   word 0  request flag (what the checks read)
//   word 1  scratch word the store forms write
//   word 2  harness: "go" (main -> setter worker), word 3: harness sleep word
//   bytes 32..39  harness: Date.now() when the setter stored the flag (Float64)
// ---------------------------------------------------------------------------------------------

/** @typedef {{ id: string, label: string, code: string, check: (site: number, locals: string) => string }} Form */

/** @type {Form[]} */
export const FORMS = [
  { id: 'none', label: 'none', code: '', check: () => '' },
  {
    id: 'plain',
    label: 'plain load',
    code: 'if(F[0]!==0)T(M,17,i);',
    check: (site, locals) => `if(F[0]!==0)T(M,${site}${locals ? `,${locals}` : ''});`,
  },
  {
    id: 'atomics',
    label: 'Atomics.load',
    code: 'if(Atomics.load(F,0)!==0)T(M,17,i);',
    check: (site, locals) => `if(Atomics.load(F,0)!==0)T(M,${site}${locals ? `,${locals}` : ''});`,
  },
  {
    id: 'scratch',
    label: 'load + scratch store 0',
    code: 'F[1]=0;if(F[0]!==0)T(M,17,i);',
    check: (site, locals) => `F[1]=0;if(F[0]!==0)T(M,${site}${locals ? `,${locals}` : ''});`,
  },
  {
    id: 'site-store',
    label: '(F[1]=site,F[0])',
    code: 'if((F[1]=17,F[0])!==0)T(M,17,i);',
    check: (site, locals) => `if((F[1]=${site},F[0])!==0)T(M,${site}${locals ? `,${locals}` : ''});`,
  },
];

/** The form packages/transform emits today (packages/transform/src/emit.ts), universal (and Bun). */
export const CURRENT_FORM = 'site-store';

/** The form it emits for a V8 target (`target: 'node' | 'deno'`), and the runtimes that form is for. */
export const V8_FORM = 'plain';
export const V8_RUNTIMES = ['node', 'deno'];

export const formById = (id) => {
  const f = FORMS.find((x) => x.id === id);
  if (!f) throw new Error(`unknown check form ${id}`);
  return f;
};

/**
 * How F (and T) are bound in the instrumented module:
 *  - const:  module-level `const F = new Int32Array(...)` and a local `function T` in the same file
 *  - var:    the same with `var F`, as instrumented CommonJS binds them (emit.ts, `header`)
 *  - import: `import { flags as F, trap as T } from './runtime.mjs'`, as instrumented ESM gets them
 */
export const BINDINGS = [
  { id: 'const', label: 'module const' },
  { id: 'var', label: 'module var' },
  { id: 'import', label: 'ESM import' },
];

export const RUNTIMES = ['node', 'bun', 'deno'];

/** Command line that runs an ESM file on a runtime. */
export function runtimeCommand(runtime, file) {
  switch (runtime) {
    case 'node':
      return [process.execPath, [file]];
    case 'bun':
      return [join(repoRoot, 'node_modules/.bin/bun'), [file]];
    case 'deno':
      // --allow-read: the web Worker loads a local module; --no-config: ignore any deno.json.
      return [join(repoRoot, 'node_modules/.bin/deno'), ['run', '--no-config', '--no-prompt', `--allow-read=${dirname(file)}`, file]];
    default:
      throw new Error(`unknown runtime ${runtime}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Program text
// ---------------------------------------------------------------------------------------------

const EXIT_FN = `function exitNow(code) {
  if (typeof Deno !== 'undefined') Deno.exit(code);
  else process.exit(code);
}`;

/** The slow path. In 'bench' mode it only counts (the runner fails the run if it ever ran). */
function trapBody(mode) {
  if (mode === 'bench') return `trapped++;`;
  return `const setAt = new Float64Array(F.buffer, 32, 1)[0];
  console.log('fired site=' + site + ' latency_ms=' + (setAt > 0 ? Date.now() - setAt : -1));
  exitNow(0);`;
}

/** Files (name -> text) that define F, T and M for a main module, per binding. */
function prelude(binding, mode) {
  const trapFn = (name) => `function ${name}(m, site, ...locals) {
  ${trapBody(mode)}
}`;
  const stats = `export function trapCount() { return trapped; }`;
  if (binding === 'const' || binding === 'var') {
    return {
      head: `${binding} F = new Int32Array(new SharedArrayBuffer(64));
let trapped = 0;
${mode === 'fire' ? EXIT_FN : ''}
${trapFn('T')}
function trapCount() { return trapped; }
const M = { url: import.meta.url };`,
      files: {},
    };
  }
  if (binding === 'import') {
    return {
      head: `import { flags as F, trap as T, trapCount } from './runtime.mjs';
const M = { url: import.meta.url };`,
      files: {
        'runtime.mjs': `// The stand-in for @trapdoor-js/runtime: owns the control block and the slow path.
export const flags = new Int32Array(new SharedArrayBuffer(64));
const F = flags;
let trapped = 0;
${mode === 'fire' ? EXIT_FN : ''}
export ${trapFn('trap')}
${stats}
`,
      },
    };
  }
  throw new Error(`unknown binding ${binding}`);
}

export const WORKLOADS = [
  { id: 'loop', label: '(a) counting loop, `sum += i` (double sum)', unit: 'iteration' },
  { id: 'loopInt', label: "(a') counting loop, int32 sum", unit: 'iteration' },
  { id: 'call', label: '(b) add(a,b) called in a loop', unit: 'call' },
  { id: 'array', label: '(c) array of objects, property reads', unit: 'element' },
];

/**
 * A benchmark program: the three workloads, each warmed up, its size calibrated to
 * `targetMs` per repetition, then `reps` timed repetitions. Prints one JSON line.
 * Checks go where the transform puts them: every loop body and every function body.
 */
export function benchProgram({ form, binding, targetMs = 40, reps = 7 }) {
  const f = typeof form === 'string' ? formById(form) : form;
  const c = (site, locals) => f.check(site, locals);
  const { head, files } = prelude(binding, 'bench');
  const main = `${head}
// check form: ${f.id}  (${f.code || 'no check'}); F bound as: ${binding}

function loop(n) {
  ${c(20, 'n')}
  let sum = 0;
  for (let i = 0; i < n; i++) { ${c(17, 'n, sum, i')} sum += i; }
  return sum;
}

// The same loop with an int32 accumulator: (a) overflows to a double after 65536 iterations,
// and a loop-carried double is where V8's register allocation is most sensitive.
function loopInt(n) {
  ${c(27, 'n')}
  let sum = 0;
  for (let i = 0; i < n; i++) { ${c(28, 'n, sum, i')} sum = (sum + i) | 0; }
  return sum;
}

function add(a, b) { ${c(21, 'a, b')} return a + b; }
function call(n) {
  ${c(22, 'n')}
  let s = 0;
  for (let i = 0; i < n; i++) { ${c(23, 'n, s, i')} s = add(s & 0xffff, i & 0xff); }
  return s;
}

const points = [];
for (let k = 0; k < 1024; k++) points.push({ x: k, y: k & 7, z: 1, name: 'p' + k });
function array(n) {
  ${c(24, 'n')}
  let s = 0;
  for (let r = 0; r < n; r++) {
    ${c(25, 'n, s, r')}
    for (let j = 0; j < points.length; j++) { ${c(26, 'n, s, r, j')} const p = points[j]; s += p.x * p.y - p.z; }
  }
  return s;
}

const sink = [];
function measure(fn, perUnit, start) {
  // Warm-up: many short calls first, so the function is optimized for a normal call (not only
  // entered on-stack in the middle of one long call), then a few long ones.
  for (let k = 0; k < 300; k++) sink.push(fn(Math.max(1, start / 100)));
  for (let k = 0; k < 5; k++) sink.push(fn(start));
  let n = start, dt = 0;
  for (;;) {                                                    // calibrate the size of one repetition
    const t0 = performance.now(); sink.push(fn(n)); dt = performance.now() - t0;
    if (dt >= ${targetMs} / 4) break;
    n *= 4;
  }
  n = Math.max(1, Math.round(n * ${targetMs} / dt));
  sink.push(fn(n));
  const ns = [];
  for (let r = 0; r < ${reps}; r++) {
    const t0 = performance.now(); sink.push(fn(n)); const t1 = performance.now();
    ns.push(((t1 - t0) * 1e6) / (n * perUnit));
  }
  ns.sort((a, b) => a - b);
  return { best: ns[0], median: ns[ns.length >> 1], n };
}

const results = {
  loop: measure(loop, 1, 1e5),
  loopInt: measure(loopInt, 1, 1e5),
  call: measure(call, 1, 1e5),
  array: measure(array, points.length, 100),
};
let check = 0;
for (const v of sink) check = (check + (v % 1000)) | 0;
console.log(JSON.stringify({ form: ${JSON.stringify(f.id)}, binding: ${JSON.stringify(binding)}, results, trapped: trapCount(), check }));
`;
  return { 'main.mjs': main, ...files };
}

/**
 * The "fires" proof. The main thread starts a worker with the SharedArrayBuffer, warms up a
 * bounded loop with the check, tells the worker "go" and enters a tight empty
 * `while (true) { CHECK }`. The worker sleeps `delayMs`, then Atomics.store(F, 0, 1).
 * If the check sees it, T() prints "fired ..." and exits 0; otherwise the process spins forever
 * and the parent kills it. Node: worker_threads; Bun and Deno: web Workers.
 */
export function fireProgram({ form, binding, delayMs = 300, warmIterations = 1e6, warmRounds = 10, watchdogMs = 60_000 }) {
  const f = typeof form === 'string' ? formById(form) : form;
  const c = (site, locals) => f.check(site, locals);
  const { head, files } = prelude(binding, 'fire');
  const main = `${head}
// check form: ${f.id}  (${f.code || 'no check'}); F bound as: ${binding}

// 1. Start the setter worker and hand it the control block.
const webWorkers = typeof Deno !== 'undefined' || typeof Bun !== 'undefined';
const setterUrl = new URL('./setter.mjs', import.meta.url);
let worker;
const ready = new Promise((resolve, reject) => {
  if (webWorkers) {
    worker = new Worker(setterUrl.href, { type: 'module' });
    worker.onmessage = () => resolve();
    worker.onerror = (e) => reject(e.error ?? new Error(String(e.message)));
    worker.postMessage(F.buffer);
  } else {
    import('node:worker_threads').then(({ Worker }) => {
      worker = new Worker(setterUrl, { workerData: F.buffer });
      worker.once('message', () => resolve());
      worker.once('error', reject);
    }, reject);
  }
});
await ready;

// 2. Warm up: a bounded loop with the same check, run often enough for every JIT tier.
function warm(n) {
  let i = 0;
  while (true) { ${c(18, 'n, i')} if (++i === n) return i; }
}
let warmed = 0;
for (let k = 0; k < ${warmRounds}; k++) warmed += warm(${warmIterations});

// 3. Tell the worker to set the flag in ${delayMs} ms, and spin in the tightest empty loop.
function spin() {
  while (true) { ${c(17, '')} }
}
Atomics.store(F, 2, 1);
Atomics.notify(F, 2);
spin();
console.log('spin returned without a trap (warmed ' + warmed + ')');
exitNow(3);
`;
  const setter = `// Sets the request flag from another thread, ${delayMs} ms after the main thread says "go".
const webWorker = typeof Deno !== 'undefined' || typeof Bun !== 'undefined';
function start(sab) {
  const F = new Int32Array(sab);
  if (webWorker) self.postMessage('ready');
  else parentPort.postMessage('ready');
  Atomics.wait(F, 2, 0);                  // until main is about to enter the empty loop
  Atomics.wait(F, 3, 0, ${delayMs});            // sleep; nobody notifies word 3
  new Float64Array(sab, 32, 1)[0] = Date.now();
  Atomics.store(F, 0, 1);
  // Watchdog: a main thread that never traps cannot end itself. The parent kills it much
  // sooner; this only matters if the parent itself died, so no spinning process is left behind.
  Atomics.wait(F, 3, 0, ${watchdogMs});
  console.error('watchdog: no trap after ${watchdogMs} ms, killing the process');
  if (typeof Deno !== 'undefined') Deno.kill(Deno.pid, 'SIGKILL');
  else process.kill(process.pid, 'SIGKILL');
}
let parentPort;
if (webWorker) {
  self.onmessage = (e) => start(e.data);
} else {
  const wt = await import('node:worker_threads');
  parentPort = wt.parentPort;
  start(wt.workerData);
}
`;
  const exitPrelude = binding === 'const' || binding === 'var' ? '' : EXIT_FN + '\n';
  return { 'main.mjs': exitPrelude + main, 'setter.mjs': setter, ...files };
}

// ---------------------------------------------------------------------------------------------
// Writing and running programs
// ---------------------------------------------------------------------------------------------

/** A fresh temporary directory for generated programs; `dispose()` removes it. */
export function makeWorkDir(prefix = 'trapdoor-check-forms-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  return {
    dir,
    /** Writes a program's files into a new subdirectory; returns the path of its main.mjs. */
    write(name, files) {
      const sub = join(dir, `${String(n++).padStart(3, '0')}-${name.replace(/[^\w.-]+/g, '_')}`);
      mkdirSync(sub);
      for (const [file, text] of Object.entries(files)) writeFileSync(join(sub, file), text);
      return join(sub, 'main.mjs');
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const live = new Set();
/** Kills (SIGKILL) every child started by runProgram that is still running. */
export function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
}
process.once('exit', killAll);

/**
 * Runs an ESM file on a runtime as a child process. Resolves with
 * { code, signal, stdout, stderr, timedOut, ms }; a child still running after timeoutMs is
 * killed with SIGKILL (timedOut: true).
 */
export function runProgram(runtime, file, { timeoutMs = 60_000 } = {}) {
  const [cmd, args] = runtimeCommand(runtime, file);
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: dirname(file),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(child);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolvePromise({ code, signal, stdout, stderr, timedOut, ms: performance.now() - t0 });
    });
  });
}

/** Runs the fires proof for one form/binding/runtime. fired: exit 0 and "fired" on stdout. */
export async function checkFires(work, runtime, form, binding, { timeoutMs = 5_000, ...opts } = {}) {
  const program = fireProgram({ form, binding, watchdogMs: timeoutMs + 20_000, ...opts });
  const file = work.write(`fire-${runtime}-${form}-${binding}`, program);
  const r = await runProgram(runtime, file, { timeoutMs });
  const m = /^fired site=\d+ latency_ms=(-?\d+)/m.exec(r.stdout);
  return { ...r, fired: r.code === 0 && m !== null, latencyMs: m ? Number(m[1]) : undefined, file };
}


