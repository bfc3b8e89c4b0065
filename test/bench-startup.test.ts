// The start-up benchmark (bench/startup.mjs) runs end to end on one round and one runtime: every
// case's output is checked against the plain run's by the harness itself, and the table is
// written with every case, the floors, where the time goes and the memory rows. A harness test, not a measurement: no timing.
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
    for (const label of [
      'plain',
      'register, cold cache',
      'register, warm cache',
      '`trapdoor run`, cold cache',
      '`trapdoor run`, warm cache',
      'instrumented ahead of time (runtime only)',
      'floor: an empty `module.register` (hooks thread)',
      'floor: `trapdoor --version` (the CLI process alone)',
    ]) {
      expect(table).toContain(`| ${label} |`);
    }
    expect(table).toMatch(/- node, register, warm cache: \+-?\d+ ms wall/);
    // Where the time goes: the register path split into the floor, the runtime and the loader's own part.
    expect(table).toMatch(/- node, register \+-?\d+ ms: Node's hooks thread \(an empty module\.register\) -?\d+ ms, the runtime -?\d+ ms, the loader's own modules and hooks -?\d+ ms\./);
    expect(table).toMatch(/- node, `trapdoor run` \+-?\d+ ms: the CLI's Node process -?\d+ ms, the program's loader -?\d+ ms, the rest \(the run command and spawn, ± noise\) -?\d+ ms\./);
    if (process.platform === 'linux') {
      for (const label of [
        'a one-line module imported (any program of two files)',
        'node:worker_threads imported (part of the runtime on Node and Deno)',
        'node:fs, node:path, node:module, node:url imported together (the idle runtime uses only node:module, and node:fs except on Deno)',
        '@trapdoor-js/runtime/deadline imported (every test process of `trapdoor test`)',
        'the native signal watcher started (part of the runtime)',
        'activated, a client attached, paused in a busy loop',
      ]) {
        expect(table).toContain(`| ${label} |`);
      }
      // Each cell has the added VmRSS, the added private part and the process's threads.
      expect(table).toMatch(/\| instrumented ahead of time \(runtime loaded, idle\) \| [\d.]+ MiB \(\+-?[\d.]+ MiB; private \+-?[\d.]+ MiB; \d+ threads\) \|/);
      // VmRSS and its private part (RssAnon), each against the target.
      expect(table).toMatch(/- node, runtime loaded, idle: \+-?[\d.]+ MiB VmRSS — (met|\*\*missed\*\*); private \+-?[\d.]+ MiB — (met|\*\*missed\*\*)/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
