// npm run bench:startup — what instrumentation adds to a process's start-up and memory, on Node,
// Bun and Deno, side by side in one run (issue 10).
//
// Start-up: wall time of whole processes (spawn to exit), medians over the rounds, every case of
// a round run once before the next round starts (so a noisy moment hits every case alike):
//   - hello world, and a real package: the rxjs UMD bundle (300 KB, one file) required and used;
//   - plain (the runtime alone), the loader given by hand (register: `node --import
//     trapdoor-js/register`, `bun --preload …`, `deno run --preload …`) and `trapdoor run`;
//     the last two with a cold cache of instrumented modules (an empty folder each run) and a warm
//     one (filled by an earlier run);
//   - the program instrumented ahead of time (`trapdoor instrument`, as the bundler plugins
//     do), run by the plain runtime: what importing trapdoor's runtime costs, no loader at all;
//   - floors, to say where the time goes: an empty `module.register` hook (Node: its hooks
//     thread), a preload importing only node:module, node:fs and node:path (Deno: its Node
//     layer), `trapdoor --version` (the CLI's own Node process, which `trapdoor run` starts
//     before the program's), and `trapdoor run` with the CLI run by Bun or Deno itself.
// Memory: resident set (VmRSS from /proc, Linux; the default activation trigger, the native signal
// watcher) of an idle process — plain; with each part alone: a second module, node:worker_threads,
// the Node built-ins together and each alone, the first use of \`process\`, Deno's own file API
// (what the runtime writes its state file with on Deno), the runtime's code not armed (the
// production entry), the native signal watcher started; instrumented ahead of time (the runtime
// loaded and armed); under the register loader — and of one activated with a debugger client
// attached and paused in a busy loop. The idle instrumented process once more at 2.5 s, after the
// time of its stale-file sweep (done by one process in ten minutes: both kinds measured), against
// plain at 2.5 s.
//
// Written to stdout and to bench/results/startup.md (which `npm run bench` includes).
// BENCH_ROUNDS (default 11) sets the rounds; BENCH_RUNTIMES=node,bun picks runtimes; BENCH_OUT
// writes the table elsewhere (test/bench-startup.test.ts). BENCH_PARTS=memory measures the memory
// rows alone (about a minute a runtime; BENCH_MEMORY_ROUNDS, default 5, sets their rounds) and
// prints them, written only where BENCH_OUT says (bench/results/startup.md keeps the whole run's).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const PARTS = process.env.BENCH_PARTS?.split(',') ?? ['startup', 'memory'];
const MEMORY_ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 5);
const trapdoor = path.join(root, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const loaders = path.join(root, 'packages', 'trapdoor', 'dist', 'loaders');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const RUNTIMES = {
  node: { command: [process.execPath], register: (file) => [process.execPath, '--import', path.join(loaders, 'node', 'register.js'), file] },
  bun: { command: [bin('bun')], register: (file) => [bin('bun'), '--preload', path.join(loaders, 'bun', 'register.js'), file] },
  deno: { command: [bin('deno'), 'run', '-A'], register: (file) => [bin('deno'), 'run', '-A', '--preload', path.join(loaders, 'deno', 'register.js'), file] },
};
const runtimes = (process.env.BENCH_RUNTIMES?.split(',') ?? Object.keys(RUNTIMES)).filter((name) => name in RUNTIMES);
const version = (name) => {
  const argv = name === 'node' ? [process.execPath, '--version'] : [bin(name), '--version'];
  return spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' }).stdout.trim().split('\n')[0];
};

// ─── The programs ─────────────────────────────────────────────────────────────────────────

// Inside the repository, so that the programs instrumented ahead of time resolve @trapdoor-js/runtime.
mkdirSync(path.join(root, 'bench', '.tmp'), { recursive: true });
const work = mkdtempSync(path.join(root, 'bench', '.tmp', 'startup-'));
const caches = mkdtempSync(path.join(os.tmpdir(), 'trapdoor-bench-startup-'));
const warmCache = path.join(caches, 'warm');
const rxjsBundle = require.resolve('rxjs/package.json').replace(/package\.json$/, 'dist/bundles/rxjs.umd.js');
const write = (name, text) => (writeFileSync(path.join(work, name), text), path.join(work, name));

const hello = write('hello.mjs', "console.log('hello world');\n");
const useRxjs = (bundle) => `const rxjs = require(${JSON.stringify(bundle)});
let total = 0;
rxjs.range(1, 2000).pipe(rxjs.map((x) => x * 2), rxjs.filter((x) => x % 3 === 0), rxjs.scan((a, x) => a + x, 0)).subscribe((x) => (total = x));
console.log('rxjs', total);
`;
const rxjsApp = write('rxjs-app.cjs', useRxjs(rxjsBundle));
// Ahead of time, as the bundler plugins and `trapdoor instrument` do: the bundle imports the runtime.
const prebuilt = path.join(work, 'prebuilt', 'rxjs.umd.cjs');
must(spawnSync(process.execPath, [trapdoor, 'instrument', rxjsBundle, '-o', prebuilt, '--module-type', 'cjs'], { cwd: work, encoding: 'utf8' }), 'trapdoor instrument');
const rxjsPrebuilt = write('rxjs-prebuilt.cjs', useRxjs(prebuilt));
// Hello world instrumented ahead of time: a loop, so that the module imports the runtime.
const helloPrebuilt = path.join(work, 'prebuilt', 'hello.mjs');
must(spawnSync(process.execPath, [trapdoor, 'instrument', write('hello-src.mjs', "for (let i = 0; i < 1; i++) console.log('hello world');\n"), '-o', helloPrebuilt], { cwd: work, encoding: 'utf8' }), 'trapdoor instrument hello');
// Floors: what the loaders cannot do without. Node: an empty module.register (it starts Node's
// hooks thread; Node 20.20 has no synchronous module.registerHooks). Deno: the Node built-ins
// every loader imports (the first import of node:module and node:fs starts Deno's Node layer).
const emptyRegister = write('empty-register.cjs', "require('node:module').register('data:text/javascript,export {};', 'file:///');\n");
const denoNodeLayer = write('deno-node-layer.mjs', "import 'node:module';\nimport 'node:fs';\nimport 'node:path';\n");
const include = JSON.stringify([rxjsBundle]);

function must(result, what) {
  if (result.status !== 0) {
    process.stderr.write(`${what} exited with ${result.status}\n${result.stdout}\n${result.stderr}\n`);
    process.exit(1);
  }
  return result;
}

// ─── Start-up ─────────────────────────────────────────────────────────────────────────────

/** Cases of one runtime and workload: [label, argv, env, cache]. cache: 'cold' | 'warm' | undefined. */
function cases(runtime, workload) {
  const rt = RUNTIMES[runtime];
  const file = workload === 'hello' ? hello : rxjsApp;
  const env = workload === 'hello' ? {} : { TRAPDOOR_INCLUDE: include };
  const run = [process.execPath, trapdoor, 'run', '--runtime', runtime, ...(workload === 'hello' ? [] : ['--include', rxjsBundle]), file];
  const list = [
    { label: 'plain', argv: [...rt.command, file], env: {} },
    { label: 'register, cold cache', argv: rt.register(file), env, cache: 'cold' },
    { label: 'register, warm cache', argv: rt.register(file), env, cache: 'warm' },
    { label: '`trapdoor run`, cold cache', argv: run, env: {}, cache: 'cold' },
    { label: '`trapdoor run`, warm cache', argv: run, env: {}, cache: 'warm' },
    { label: 'instrumented ahead of time (runtime only)', argv: [...rt.command, workload === 'hello' ? helloPrebuilt : rxjsPrebuilt], env: {} },
  ];
  if (workload !== 'hello') return list;
  if (runtime === 'node') list.push({ label: 'floor: an empty `module.register` (hooks thread)', argv: [process.execPath, '--require', emptyRegister, file], env: {} });
  if (runtime === 'deno') list.push({ label: 'floor: node:module, node:fs, node:path imported (Node layer)', argv: [bin('deno'), 'run', '-A', '--preload', denoNodeLayer, file], env: {} });
  // The CLI's own process, started by `trapdoor run` before the program's; its output is its own.
  if (runtime === 'node') list.push({ label: 'floor: `trapdoor --version` (the CLI process alone)', argv: [process.execPath, trapdoor, '--version'], env: {}, ownOutput: true });
  // `bunx --bun trapdoor run`, `deno run -A npm:trapdoor-js run`: the CLI on the program's runtime.
  if (runtime === 'bun') list.push({ label: '`trapdoor run` with the CLI on Bun, warm cache', argv: [bin('bun'), trapdoor, 'run', file], env: {}, cache: 'warm' });
  if (runtime === 'deno') list.push({ label: '`trapdoor run` with the CLI on Deno, warm cache', argv: [bin('deno'), 'run', '-A', trapdoor, 'run', file], env: {}, cache: 'warm' });
  return list;
}

// CPU time (user + system of the process and its children: `trapdoor run` is two processes) is
// measured where python3 is there to ask getrusage(RUSAGE_CHILDREN), which Node does not expose:
// on a loaded machine it is the steadier figure. The wrapper times the wall clock too (its own
// start-up is outside both).
const PYTHON = spawnSync('python3', ['-c', 'import resource'], { encoding: 'utf8' }).status === 0 ? 'python3' : undefined;
const timeFile = path.join(caches, 'time.txt');
const wrapper = path.join(caches, 'rusage.py');
writeFileSync(
  wrapper,
  `import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
wall = (time.perf_counter() - start) * 1000
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], 'w').write('%f %f' % (wall, (usage.ru_utime + usage.ru_stime) * 1000))
sys.exit(code if code >= 0 else 128 - code)
`,
);

function timeOnce(c) {
  const cacheDir = c.cache === 'cold' ? mkdtempSync(path.join(caches, 'cold-')) : warmCache;
  const env = { ...process.env, ...c.env, TRAPDOOR_CACHE_DIR: cacheDir, NO_COLOR: '1' };
  delete env.TRAPDOOR_CACHE;
  const argv = PYTHON ? [PYTHON, wrapper, timeFile, ...c.argv] : c.argv;
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd: work, env, encoding: 'utf8' });
  let ms = Number(process.hrtime.bigint() - start) / 1e6;
  must(result, c.argv.join(' '));
  if (c.cache === 'cold') rmSync(cacheDir, { recursive: true, force: true });
  let cpu = NaN;
  if (PYTHON) [ms, cpu] = readFileSync(timeFile, 'utf8').split(' ').map(Number);
  return { ms, cpu, stdout: result.stdout };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const table = [];
for (const workload of PARTS.includes('startup') ? ['hello', 'rxjs'] : []) {
  for (const runtime of runtimes) {
    const list = cases(runtime, workload).map((c) => ({ ...c, times: [], cpus: [], outputs: new Set() }));
    for (const c of list) if (c.cache === 'warm') timeOnce(c); // fill the warm cache
    for (const c of list) timeOnce(c); // and the file system cache, once, untimed
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of list) {
        const { ms, cpu, stdout } = timeOnce(c);
        c.times.push(ms);
        c.cpus.push(cpu);
        c.outputs.add(stdout);
      }
    }
    const plain = median(list[0].times);
    const plainCpu = median(list[0].cpus);
    for (const c of list) {
      // Whatever the case, the program prints what the plain run prints.
      if (!c.ownOutput && (c.outputs.size !== 1 || !c.outputs.has([...list[0].outputs][0]))) throw new Error(`${runtime} ${workload} ${c.label}: output differs from the plain run's`);
      const m = median(c.times);
      const cpu = median(c.cpus);
      table.push({ workload, runtime, label: c.label, median: m, ratio: m / plain, added: m - plain, cpu, cpuAdded: cpu - plainCpu, plainCpu });
    }
    process.stderr.write(`startup: ${workload} on ${runtime} done\n`);
  }
}

// ─── Memory ───────────────────────────────────────────────────────────────────────────────

const idle = write('idle.mjs', "setInterval(() => {}, 1000);\nconsole.log('ready');\n");
const idlePrebuilt = path.join(work, 'prebuilt', 'idle.mjs');
must(spawnSync(process.execPath, [trapdoor, 'instrument', write('idle-src.mjs', "function tick() { for (let i = 0; i < 3; i++) tick.n = i; }\nsetInterval(tick, 1000);\nconsole.log('ready');\n"), '-o', idlePrebuilt], { cwd: work, encoding: 'utf8' }), 'trapdoor instrument idle');
// Busy in an instrumented loop; activates itself (as `trapdoor attach` would make it) and says where.
const spinPrebuilt = path.join(work, 'prebuilt', 'spin.mjs');
must(
  spawnSync(
    process.execPath,
    [
      trapdoor,
      'instrument',
      write('spin-src.mjs', "import { activate } from '@trapdoor-js/runtime';\nconst { port } = activate({ port: 0 });\nconsole.log('ready', port);\nlet n = 0;\nwhile (true) n++;\n"),
      '-o',
      spinPrebuilt,
    ],
    { cwd: work, encoding: 'utf8' },
  ),
  'trapdoor instrument spin',
);

/**
 * VmRSS of a process in KiB, from /proc (Linux), and its private part, RssAnon: the rest
 * (RssFile, RssShmem) is pages of files, mostly the runtime's own executable and libraries paged
 * in as more of their code runs, shared with every other process of that runtime.
 */
function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), anon: field('RssAnon'), threads: field('Threads') };
}

/**
 * Starts argv, waits for its 'ready' line (and `then`), settles (`settle` ms), reads its RSS,
 * kills it. `env()`: more environment, made for each run.
 */
function measureRss(argv, then, settle = 500, env = () => ({})) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: work, env: { ...process.env, TRAPDOOR_CACHE_DIR: warmCache, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => code !== null && reject(new Error(`${argv.join(' ')} exited ${code}: ${err}`)));
    child.stdout.on('data', async (d) => {
      out += d;
      const match = /ready(?: (\d+))?\n/.exec(out);
      if (match === null || child.ready) return;
      child.ready = true;
      try {
        if (then) await then(Number(match[1]));
        await new Promise((r) => setTimeout(r, settle));
        const usage = rssKiB(child.pid);
        child.removeAllListeners('exit');
        child.kill('SIGKILL');
        resolve(usage);
      } catch (error) {
        child.kill('SIGKILL');
        reject(error);
      }
    });
  });
}

/** Connects a CDP client, enables the debugger and pauses the busy loop (resolves once paused). */
async function pauseWithClient(port) {
  const { default: WebSocket } = await import(require.resolve('ws', { paths: [path.join(root, 'packages', 'runtime')] }));
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((r, j) => (socket.once('open', r), socket.once('error', j)));
  const paused = new Promise((r) => socket.on('message', (m) => JSON.parse(String(m)).method === 'Debugger.paused' && r()));
  socket.send(JSON.stringify({ id: 1, method: 'Debugger.enable' }));
  socket.send(JSON.stringify({ id: 2, method: 'Debugger.pause' }));
  await paused;
  pauseWithClient.sockets.push(socket);
}
pauseWithClient.sockets = [];

// The runtime's largest parts alone: node:worker_threads (the thread registry's BroadcastChannel,
// isMainThread; not loaded on Bun, which has Bun.isMainThread and a global BroadcastChannel), the
// Node built-ins the runtime imported at load before it loaded each on first use (on Bun and Deno
// the first use of their Node layer; each alone below), and the native signal watcher (a Node-API
// addon and its thread). And the floor of
// any program of more than one file: a one-line module imported (Bun starts its loader's threads).
const idleNodeLayer = write('idle-node-layer.mjs', "import 'node:fs';\nimport 'node:path';\nimport 'node:module';\nimport 'node:url';\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n");
write('one-line.mjs', 'export const one = 1;\n');
const idleTwoFiles = write('idle-two-files.mjs', "import './one-line.mjs';\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n");
const nativeEntry = require.resolve('@trapdoor-js/native', { paths: [path.join(root, 'packages', 'runtime')] });
const idleWorkerThreads = write('idle-worker-threads.mjs', "import 'node:worker_threads';\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n");
// Each built-in alone, the first use of \`process\` (on Deno a part of its Node layer of its own), and
// what the runtime does on Deno instead of node:fs (Deno's own file API: the state directory, the
// state file written and renamed), to say what each part costs before the others share it.
const idleModule = (name, code) => write(`idle-${name}.mjs`, `${code}\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n`);
const idleBuiltins = ['fs', 'path', 'module', 'url'].map((name) => [name, idleModule(name, `import 'node:${name}';`)]);
const idleProcess = idleModule('process', 'globalThis.pid = process.pid;');
const stateDir = path.join(work, 'state-dir');
const idleDenoFiles = idleModule(
  'deno-files',
  `try { Deno.mkdirSync(${JSON.stringify(stateDir)}, { mode: 0o700 }); } catch {}
Deno.lstatSync(${JSON.stringify(stateDir)});
const file = Deno.openSync(${JSON.stringify(path.join(stateDir, 'x.tmp'))}, { write: true, create: true, mode: 0o600 });
file.writeSync(new TextEncoder().encode('{}'));
file.close();
Deno.renameSync(${JSON.stringify(path.join(stateDir, 'x.tmp'))}, ${JSON.stringify(path.join(stateDir, 'x.json'))});`,
);
// The runtime's code without its triggers: the production entry, which arms only with TRAPDOOR_ARM=1.
const runtimeEsm = path.join(root, 'packages', 'runtime', 'dist', 'esm');
const idleRuntimeCode = idleModule('runtime-code', `import ${JSON.stringify(pathToFileURL(path.join(runtimeEsm, 'production.js')).href)};`);
// What every test process of `trapdoor test` imports (its runner's hooks arm a deadline per test).
const idleDeadline = idleModule('deadline', `import ${JSON.stringify(pathToFileURL(path.join(runtimeEsm, 'deadline.js')).href)};`);
const idleWatcher = write(
  'idle-watcher.mjs',
  `import { createRequire } from 'node:module';
const native = createRequire(import.meta.url)(${JSON.stringify(nativeEntry)});
native.startWatcher({ signal: typeof Bun === 'undefined' ? 'SIGUSR2' : 'SIGUSR1', control: new Int32Array(new SharedArrayBuffer(64)), index: 0, bits: 1, onSignal() {} });
setInterval(() => {}, 1000);
console.log('ready');
`,
);

// On Deno what the runtime does there with --allow-ffi for every path (as here, -A): the same
// addon through Deno.dlopen (native-ffi.ts), no CommonJS loaded.
const idleWatcherDeno = write(
  'idle-watcher-deno.mjs',
  `import { addonFile, loadFfiWatchers } from ${JSON.stringify(pathToFileURL(path.join(runtimeEsm, 'native-ffi.js')).href)};
const exists = (file) => { try { Deno.statSync(file); return true; } catch { return false; } };
const watchers = loadFfiWatchers(addonFile(${JSON.stringify(path.dirname(nativeEntry))}, exists));
if (typeof watchers === 'string') throw new Error(watchers);
watchers.startWatcher({ signal: 'SIGUSR2', control: new Int32Array(new SharedArrayBuffer(64)), index: 0, bits: 1, onSignal() {} });
setInterval(() => {}, 1000);
console.log('ready');
`,
);

const LATE = 2500;
// A state directory of its own for a run (so that its process is the one of its period that
// sweeps), with 10 files of processes that are gone: pids at or above the kernel's pid_max,
// which no process has.
const pidMax = process.platform === 'linux' ? Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) : 4194304;
function staleStateDir() {
  const dir = mkdtempSync(path.join(caches, 'state-'));
  for (let i = 0; i < 10; i++) {
    const pid = pidMax + i;
    writeFileSync(path.join(dir, `${pid}.json`), JSON.stringify({ v: 1, pid, runtime: 'node.js', runtimeVersion: 'v20', script: '/app.js', trigger: { signal: 'SIGUSR2' }, active: null }), { mode: 0o600 });
  }
  return { TRAPDOOR_STATE_DIR: dir };
}

const memory = [];
if (process.platform === 'linux' && PARTS.includes('memory')) {
  for (const runtime of runtimes) {
    const rt = RUNTIMES[runtime];
    const rows = [
      ['plain', [...rt.command, idle]],
      ['a one-line module imported (any program of two files)', [...rt.command, idleTwoFiles]],
      ['node:worker_threads imported (part of the runtime on Node and Deno)', [...rt.command, idleWorkerThreads]],
      ['node:fs, node:path, node:module, node:url imported together (the idle runtime uses only node:module, and node:fs except on Deno)', [...rt.command, idleNodeLayer]],
      ...idleBuiltins.map(([name, file]) => [`node:${name} imported alone`, [...rt.command, file]]),
      ['`process` first used (process.pid)', [...rt.command, idleProcess]],
      ...(runtime === 'deno' ? [["Deno's own file API: a directory made, a file written and renamed (the runtime's state file on Deno)", [...rt.command, idleDenoFiles]]] : []),
      ["the runtime's code, not armed (the production entry)", [...rt.command, idleRuntimeCode]],
      ['@trapdoor-js/runtime/deadline imported (every test process of `trapdoor test`)', [...rt.command, idleDeadline]],
      ['the native signal watcher started (part of the runtime)', [...rt.command, runtime === 'deno' ? idleWatcherDeno : idleWatcher]],
      ['instrumented ahead of time (runtime loaded, idle)', [...rt.command, idlePrebuilt]],
      // At 2 s an idle process sweeps the state directory of gone processes' files, one process
      // per ten minutes (discovery.ts); measured after it, against plain at the same time.
      ['plain, at 2.5 s', [...rt.command, idle], undefined, LATE],
      ['instrumented ahead of time, at 2.5 s (not the one process of ten minutes that sweeps the state directory)', [...rt.command, idlePrebuilt], undefined, LATE],
      ['instrumented ahead of time, at 2.5 s, the one that sweeps (its own state directory, 10 files of gone processes in it)', [...rt.command, idlePrebuilt], undefined, LATE, staleStateDir],
      ['register loader (idle, warm cache)', rt.register(idle)],
      ['activated, a client attached, paused in a busy loop', [...rt.command, spinPrebuilt], pauseWithClient],
    ];
    const samples = rows.map(() => []);
    // The register loader's modules in the warm cache first (the idle program is stopped after 3 s).
    spawnSync(rt.register(idle)[0], rt.register(idle).slice(1), { cwd: work, env: { ...process.env, TRAPDOOR_CACHE_DIR: warmCache }, timeout: 3000, killSignal: 'SIGKILL' });
    for (let round = 0; round < MEMORY_ROUNDS; round++) {
      for (const [i, [, argv, then, settle, env]] of rows.entries()) samples[i].push(await measureRss(argv, then, settle, env));
    }
    const rss = (i) => median(samples[i].map((m) => m.rss));
    const anon = (i) => median(samples[i].map((m) => m.anon));
    const threads = (i) => median(samples[i].map((m) => m.threads));
    // Each row against plain at the same time after 'ready'.
    const base = (i) => (rows[i][3] === LATE ? rows.findIndex(([label]) => label === 'plain, at 2.5 s') : 0);
    rows.forEach(([label], i) => memory.push({ runtime, label, kib: rss(i), added: rss(i) - rss(base(i)), anon: anon(i), anonAdded: anon(i) - anon(base(i)), threads: threads(i) }));
    process.stderr.write(`startup: memory on ${runtime} done\n`);
  }
  for (const socket of pauseWithClient.sockets) socket.terminate();
}

// ─── The report ───────────────────────────────────────────────────────────────────────────

const cpus = os.cpus();
const lines = [];
lines.push('## Start-up and memory', '');
lines.push(
  `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}; load average at the start ${os.loadavg()[0].toFixed(2)}. ` +
    `Runtimes: ${runtimes.map((r) => `${r} ${version(r)}`).join(', ')}.${table.length > 0 ? ` Medians of ${ROUNDS} whole processes per case (wall time, spawn to exit), cases interleaved round by round.` : ' Memory rows only (BENCH_PARTS=memory).'}`,
  '',
);
if (table.length > 0) {
  lines.push('Each cell: wall-clock median (ratio to plain, added ms; CPU: added user + system time of the process and its children, median). On a loaded machine the wall times carry the load; the CPU figures are the steadier measure of what instrumentation itself costs.', '');
  lines.push('Cold cache: an empty cache folder for every run (every module goes through the transform, which loads Babel\'s parser). Warm: the folder an earlier run filled. The rxjs bundle is instrumented by the loader with `--include` (register: `TRAPDOOR_INCLUDE`); "ahead of time" is the same bundle written by `trapdoor instrument` and run by the plain runtime: the cost of the runtime alone.', '');
  for (const workload of ['hello', 'rxjs']) {
    lines.push(`### ${workload === 'hello' ? 'Hello world' : 'rxjs 7 UMD bundle (300 KB) required and used'}`, '');
    lines.push(`| case | ${runtimes.join(' | ')} |`, `|---|${runtimes.map(() => '---:|').join('')}`);
    const labels = [...new Set(table.filter((r) => r.workload === workload).map((r) => r.label))];
    for (const label of labels) {
      const cells = runtimes.map((runtime) => {
        const row = table.find((r) => r.workload === workload && r.runtime === runtime && r.label === label);
        if (row === undefined) return '';
        const cpu = Number.isNaN(row.cpu) ? '' : row.label === 'plain' ? `; CPU ${row.cpu.toFixed(0)} ms` : `; CPU +${row.cpuAdded.toFixed(0)} ms`;
        return row.label === 'plain' ? `${row.median.toFixed(0)} ms${cpu}` : `${row.median.toFixed(0)} ms (${row.ratio.toFixed(2)}×, +${row.added.toFixed(0)} ms${cpu})`;
      });
      lines.push(`| ${label} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  const targets = [
    ['node', 'hello', 'register, warm cache', 25],
    ['node', 'hello', '`trapdoor run`, warm cache', 100],
    ['bun', 'hello', '`trapdoor run`, warm cache', 80],
    ['deno', 'hello', '`trapdoor run`, warm cache', 80],
    ['bun', 'hello', '`trapdoor run` with the CLI on Bun, warm cache', 80],
    ['deno', 'hello', '`trapdoor run` with the CLI on Deno, warm cache', 80],
  ];
  const loaded = os.loadavg()[0] > os.cpus().length;
  lines.push('Targets (issue 10, hello world, warm cache): register ≤ +25 ms over plain Node; `trapdoor run` ≤ +100 ms on Node, ≤ +80 ms on Bun and Deno.', '');
  for (const [runtime, workload, label, limit] of targets) {
    const row = table.find((r) => r.runtime === runtime && r.workload === workload && r.label === label);
    if (row) lines.push(`- ${runtime}, ${label}: +${row.added.toFixed(0)} ms wall, +${row.cpuAdded.toFixed(0)} ms CPU — ${row.added <= limit ? 'met' : `**missed** (target +${limit} ms)`}${loaded ? ' (machine loaded: see the CPU figure)' : ''}`);
  }
  lines.push('');
  lines.push(...whereTheTimeGoes());
}
if (memory.length > 0) {
  lines.push(`### Resident memory (VmRSS, medians of ${MEMORY_ROUNDS})`, '');
  lines.push("Each cell: VmRSS (added to plain; private: added RssAnon, the process's own pages; the process's threads). The rest of VmRSS is file pages, mostly the runtime's executable and libraries paged in as more of their code runs (its compilers among them), shared with every other process of that runtime.", '');
  lines.push(`| process | ${runtimes.join(' | ')} |`, `|---|${runtimes.map(() => '---:|').join('')}`);
  for (const label of [...new Set(memory.map((m) => m.label))]) {
    const cells = runtimes.map((runtime) => {
      const m = memory.find((r) => r.runtime === runtime && r.label === label);
      if (!m) return '';
      const mib = (kib) => (kib / 1024).toFixed(1);
      return label === 'plain' ? `${mib(m.kib)} MiB (private ${mib(m.anon)} MiB; ${m.threads} threads)` : `${mib(m.kib)} MiB (+${mib(m.added)} MiB; private +${mib(m.anonAdded)} MiB; ${m.threads} threads)`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  lines.push('', 'Target: an idle instrumented process under 2 MB more than plain.', '');
  for (const runtime of runtimes) {
    for (const [label, what] of [
      ['instrumented ahead of time (runtime loaded, idle)', 'runtime loaded, idle'],
      ['instrumented ahead of time, at 2.5 s (not the one process of ten minutes that sweeps the state directory)', 'the same at 2.5 s'],
    ]) {
      const m = memory.find((r) => r.runtime === runtime && r.label === label);
      if (m) lines.push(`- ${runtime}, ${what}: +${(m.added / 1024).toFixed(1)} MiB VmRSS — ${m.added < 2048 ? 'met' : '**missed**'}; private +${(m.anonAdded / 1024).toFixed(1)} MiB — ${m.anonAdded < 2048 ? 'met' : '**missed**'}`);
    }
  }
  lines.push('');
}
/**
 * Hello world, warm cache, CPU (the steadier figure): each mode's added time split into the parts
 * measured above in the same run. Differences of medians: a part can come out a few ms off.
 */
function whereTheTimeGoes() {
  const cpu = (runtime, label) => table.find((r) => r.runtime === runtime && r.workload === 'hello' && r.label === label);
  const ms = (value) => `${Math.round(value)} ms`;
  const out = ['### Where the time goes (hello world, warm cache, added CPU time)', ''];
  for (const runtime of runtimes) {
    const register = cpu(runtime, 'register, warm cache');
    const runtimeOnly = cpu(runtime, 'instrumented ahead of time (runtime only)');
    const run = cpu(runtime, '`trapdoor run`, warm cache');
    if (!register || !runtimeOnly || !run) continue;
    const floor = cpu(runtime, runtime === 'node' ? 'floor: an empty `module.register` (hooks thread)' : 'floor: node:module, node:fs, node:path imported (Node layer)');
    const parts = [];
    if (floor) parts.push(`${runtime === 'node' ? "Node's hooks thread (an empty module.register)" : "Deno's Node layer (node:module, node:fs, node:path)"} ${ms(floor.cpuAdded)}`);
    // On Deno the runtime uses the Node layer too: the floor is part of both, counted once.
    const shared = runtime === 'deno' && floor ? floor.cpuAdded : 0;
    parts.push(`the runtime${shared ? ' beyond the Node layer' : ''} ${ms(runtimeOnly.cpuAdded - shared)}`);
    parts.push(`the loader's own modules and hooks ${ms(register.cpuAdded - runtimeOnly.cpuAdded - (floor?.cpuAdded ?? 0) + shared)}`);
    out.push(`- ${runtime}, register +${ms(register.cpuAdded)}: ${parts.join(', ')}.`);
    // `trapdoor run` = the CLI's own Node process + the program under the register loader + the rest (the run command's modules, spawn).
    const cli = cpu('node', 'floor: `trapdoor --version` (the CLI process alone)');
    // The rest is a difference of medians of whole processes: under load it can come out negative.
    if (cli) out.push(`- ${runtime}, \`trapdoor run\` +${ms(run.cpuAdded)}: the CLI's Node process ${ms(cli.cpu)}, the program's loader ${ms(register.cpuAdded)}, the rest (the run command and spawn, ± noise) ${ms(run.cpuAdded - cli.cpu - register.cpuAdded)}.`);
  }
  out.push('');
  return out;
}

const report = `${lines.join('\n')}\n`;
process.stdout.write(report);
const out = process.env.BENCH_OUT ?? (PARTS.includes('startup') ? path.join(root, 'bench', 'results', 'startup.md') : undefined);
if (out !== undefined) {
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, report);
}
rmSync(caches, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
process.exit(0);
