// The start-up benchmark (bench/startup.mjs) runs end to end on one round and one runtime: every
// case's output is checked against the plain run's by the harness itself, and the table is
// written with every case and the memory rows. A harness test, not a measurement: no timing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

it('bench:startup runs on a tiny budget and writes its table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trapdoor-bench-startup-test-'));
  try {
    const out = join(dir, 'startup.md');
    const result = spawnSync(process.execPath, [join(ROOT, 'bench', 'startup.mjs')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, BENCH_ROUNDS: '1', BENCH_RUNTIMES: 'node', BENCH_OUT: out },
    });
    expect(result.status, result.stderr).toBe(0);
    const table = readFileSync(out, 'utf8');
    expect(table).toBe(result.stdout);
    for (const label of ['plain', 'register, cold cache', 'register, warm cache', '`trapdoor run`, cold cache', '`trapdoor run`, warm cache', 'instrumented ahead of time (runtime only)']) {
      expect(table).toContain(`| ${label} |`);
    }
    expect(table).toMatch(/- node, register, warm cache: \+-?\d+ ms wall/);
    if (process.platform === 'linux') expect(table).toContain('| activated, a client attached, paused in a busy loop |');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
