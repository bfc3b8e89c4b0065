// npm run bench:overhead end to end on a tiny workload (no timing is asserted): the harness
// instruments real package files with trapdoor's CLI (and istanbul, the loop guards and the
// diagnostics), runs every variant side by side on Node, Bun and Deno, checks their outputs
// against the plain run's, and writes its tables and bench/results.md (here into a temporary
// folder, with another bench's table beside it to be included).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository (bench/.tmp is ignored): the copies resolve its node_modules from there.
const WORK = join(ROOT, 'bench/.tmp', `harness-test-${process.pid}`);
const RESULTS = join(WORK, 'results');
const REPORT = join(WORK, 'results.md');

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('bench:overhead harness', () => {
  it('runs end to end on a tiny workload on node, bun and deno, checks outputs, and writes the report with the other benches\' tables', () => {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'zz-other.md'), '## Another bench\n\n| a | b |\n|---|---|\n| 1 | 2 |\n');
    const r = spawnSync(process.execPath, ['bench/overhead/run.mjs'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: {
        ...process.env,
        BENCH_WORK: WORK,
        BENCH_RESULTS: RESULTS,
        BENCH_REPORT: REPORT,
        BENCH_WORKLOADS: 'marked,richards',
        BENCH_SCALE: '0.01',
        BENCH_ROUNDS: '1',
        BENCH_WARMUP: '0',
        // The copies trapdoor runs, timed again as a compared folder: the paired table's rows.
        BENCH_COMPARE: 'trapdoor-{runtime}',
      },
    });
    expect(r.status, r.stderr).toBe(0);
    const overhead = readFileSync(join(RESULTS, 'overhead.md'), 'utf8');
    for (const runtime of ['node', 'bun', 'deno']) expect(overhead).toContain(`### ${runtime}`);
    // One row per workload and runtime, every variant's output identical to the plain one's.
    const rows = overhead.split('\n').filter((l) => /^\| (marked|richards) \|/.test(l));
    expect(rows.filter((l) => l.includes('identical'))).toHaveLength(6);
    expect(overhead).not.toMatch(/differs|failed/i);
    expect(overhead).toContain('| trapdoor | istanbul | loop guard (Date.now) | loop guard (counter) |');
    expect(overhead).toMatch(/\| node \| marked \| .* \| .* \| .* \| .* \|/); // where the time goes, per runtime and workload
    expect(overhead).toContain('## Code size');
    expect(overhead).toContain('| runtime | workload | trapdoor / trapdoor-{runtime} | load |');
    for (const runtime of ['node', 'bun', 'deno']) expect(overhead).toMatch(new RegExp(`^\\| ${runtime} \\| marked \\| \\d+\\.\\d{3}× \\| [\\d.]+→[\\d.]+ \\|$`, 'm'));
    expect(overhead).toMatch(/\| node \| \*\*geometric mean, real packages\*\* \| \*\*\d+\.\d{3}×\*\* \|/);
    // The copies were made by the CLI, for each runtime's check.
    expect(readFileSync(join(WORK, 'trapdoor-node/modules/marked/lib/marked.umd.js'), 'utf8')).toMatch(/if\(__td_F\[0\]!==0/);
    expect(readFileSync(join(WORK, 'trapdoor-bun/modules/marked/lib/marked.umd.js'), 'utf8')).toMatch(/if\(\(__td_F\[1\]=\d+,__td_F\[0\]\)!==0/);

    const report = readFileSync(REPORT, 'utf8');
    expect(report).toMatch(/^# trapdoor benchmarks/);
    expect(report).toMatch(/- Machine: \d+ × .+, \d+ GiB/);
    expect(report).toMatch(/- Runtimes: Node v\d+\.\d+\.\d+, Bun \d+\.\d+\.\d+, deno \d+\.\d+\.\d+/);
    expect(report.indexOf('## Runtime overhead in trap mode')).toBeGreaterThan(0);
    expect(report.indexOf('## Another bench')).toBeGreaterThan(report.indexOf('## Code size'));
  }, 300_000);

  it('rejects an unknown workload with one clear line and exit 2', () => {
    const r = spawnSync(process.execPath, ['bench/overhead/run.mjs'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BENCH_WORKLOADS: 'nope', BENCH_WORK: WORK } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('bench:overhead: BENCH_WORKLOADS: unknown workload "nope"; expected acorn, marked, terser, prettier, typescript, richards, deltablue, raytrace, navier-stokes\n');
  });
});
