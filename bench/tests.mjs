// npm run bench:tests — what `trapdoor test` costs a real project's own test suite, side by side in one run.
//
// The projects: test/real-projects (unjs/ufo under Vitest, commander v14.0.2 under Jest + ts-jest
// with coverage on), each copied to a temporary directory with the repository's node_modules linked
// in. Each round runs the suite plain, then under `trapdoor test` with the cache kept from earlier
// rounds (warm); the first trapdoor run of all starts from an empty cache (cold). Wall time of the
// whole command, medians over the rounds, ratios to plain; on Linux also the CPU time of the whole
// process tree (user + system of the waited-for children, from /proc/self/stat), which a loaded
// machine disturbs less than wall time. Written to stdout and to bench/results/tests.md (which
// `npm run bench` includes in bench/results.md). The ratio is also given paired: the median of
// each round's own ratio, which a load that changes between rounds disturbs less.
//
// BENCH_BASELINE=<another checkout's packages/trapdoor/bin/trapdoor.js> (an A/B of two builds):
// that build runs too, in the same rounds (its own cache, warmed the same way; the order of the
// two alternates from round to round), its figures in rows of their own; then nothing is written
// to bench/results/tests.md.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const trapdoor = path.join(root, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const only = process.env.BENCH_PROJECTS?.split(',');
const baseline = process.env.BENCH_BASELINE === undefined ? undefined : path.resolve(process.env.BENCH_BASELINE);
if (baseline !== undefined && !existsSync(baseline)) {
  process.stderr.write(`BENCH_BASELINE: no such file: ${baseline} (the trapdoor.js of another checkout's packages/trapdoor/bin)\n`);
  process.exit(2);
}

const PROJECTS = [
  { name: 'ufo (Vitest 4, 13 files, 485 tests)', dir: 'ufo', command: ['node', 'node_modules/vitest/vitest.mjs', 'run'] },
  {
    name: 'commander (Jest 30 + ts-jest, coverage, 110 suites, 1367 tests)',
    dir: 'commander',
    command: ['node', 'node_modules/jest/bin/jest.js'],
  },
].filter((project) => !only || only.includes(project.dir));

const work = mkdtempSync(path.join(os.tmpdir(), 'trapdoor-bench-tests-'));
const cacheDir = path.join(work, 'cache');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** CPU time (ms) of this process's waited-for children and their descendants (Linux: cutime + cstime, in clock ticks of 10 ms); undefined elsewhere. */
const HAS_PROC = existsSync('/proc/self/stat');
function childrenCpu() {
  if (!HAS_PROC) return undefined;
  // The fields after the command name (which may hold spaces, in parentheses): cutime and cstime are the 14th and 15th.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const loads = [];
function time(argv, cwd, cache = cacheDir) {
  const env = { ...process.env, TRAPDOOR_CACHE_DIR: cache };
  const cpuBefore = childrenCpu();
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = cpuBefore === undefined ? undefined : childrenCpu() - cpuBefore;
  loads.push(os.loadavg()[0]);
  if (result.status !== 0) {
    process.stderr.write(`${argv.join(' ')} in ${cwd} exited with ${result.status}\n${result.stdout}\n${result.stderr}\n`);
    process.exit(1);
  }
  return { ms, cpu };
}

const rows = [];
for (const project of PROJECTS) {
  const cwd = path.join(work, project.dir);
  cpSync(path.join(root, 'test', 'real-projects', project.dir), cwd, { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(cwd, 'node_modules'), 'dir');
  const instrumented = (bin) => ['node', bin, 'test', '--', ...project.command];
  const builds = [{ label: '', bin: trapdoor, cache: cacheDir }, ...(baseline === undefined ? [] : [{ label: ' (baseline)', bin: baseline, cache: `${cacheDir}-baseline` }])];
  const plain = [];
  time(project.command, cwd); // warms the runner's own caches (Jest's transform cache, Vite's deps)
  for (const build of builds) {
    rmSync(build.cache, { recursive: true, force: true });
    build.cold = time(instrumented(build.bin), cwd, build.cache);
    build.warm = [];
  }
  for (let round = 0; round < ROUNDS; round++) {
    plain.push(time(project.command, cwd));
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) build.warm.push(time(instrumented(build.bin), cwd, build.cache));
  }
  const cpu = (runs) => (HAS_PROC ? median(runs.map((run) => run.cpu)) : undefined);
  const list = (runs, key) => runs.map((run) => Math.round(run[key])).join(' ');
  for (const build of builds) {
    const paired = median(build.warm.map((run, round) => run.ms / plain[round].ms));
    const pairedCpu = HAS_PROC ? median(build.warm.map((run, round) => run.cpu / plain[round].cpu)) : undefined;
    rows.push({ name: project.name + build.label, plain: median(plain.map((run) => run.ms)), cold: build.cold.ms, warm: median(build.warm.map((run) => run.ms)), paired, plainCpu: cpu(plain), warmCpu: cpu(build.warm), pairedCpu });
    process.stderr.write(`${project.dir}${build.label}: plain ${list(plain, 'ms')} ms, trapdoor warm ${list(build.warm, 'ms')} ms, cold ${Math.round(build.cold.ms)} ms${HAS_PROC ? `; CPU plain ${list(plain, 'cpu')} ms, warm ${list(build.warm, 'cpu')} ms` : ''}\n`);
  }
}
rmSync(work, { recursive: true, force: true });

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const range = `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`;
const lines = [
  `## trapdoor test on real projects' suites (wall time, medians of ${ROUNDS} rounds, load ${range} on ${os.availableParallelism()} cores)`,
  '',
  '| project | plain | trapdoor test, warm cache | ratio | paired ratio | cold cache | ratio |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((row) => `| ${row.name} | ${fmt(row.plain)} | ${fmt(row.warm)} | ${(row.warm / row.plain).toFixed(2)}x | ${row.paired.toFixed(2)}x | ${fmt(row.cold)} | ${(row.cold / row.plain).toFixed(2)}x |`),
  '',
  ...(HAS_PROC
    ? [
        'CPU time of the whole process tree (user + system), medians of the same rounds:',
        '',
        '| project | plain | trapdoor test, warm cache | ratio | paired ratio |',
        '|---|---:|---:|---:|---:|',
        ...rows.map((row) => `| ${row.name} | ${fmt(row.plainCpu)} | ${fmt(row.warmCpu)} | ${(row.warmCpu / row.plainCpu).toFixed(2)}x | ${row.pairedCpu.toFixed(2)}x |`),
        '',
      ]
    : []),
  'Target (issue 9): at most 1.15x the plain run with a warm cache.',
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
if (baseline === undefined) {
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', 'tests.md'), `${lines.join('\n')}\n`);
}
