import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimes } from './inspector/agent/fixtures/harness.mjs';

const fixture = fileURLToPath(new URL('./fixtures/idle-builtins.mjs', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// Every instrumented process loads the runtime, and on Bun each Node built-in is Bun's own code
// paged in (node:fs alone 4 MiB resident; bench/startup.mjs's memory rows); on Node,
// node:worker_threads is about 3 ms of CPU in every process (each test file's fork under
// `trapdoor test`). Node's own node:fs is loaded before the program starts. No node:module and
// no CommonJS file: the runtime opens the native addon itself (native-addon.ts), since requiring
// the package's entry cost every process about 1.5 ms of CPU on Node (its CommonJS loader) and
// 0.6 MiB resident on Bun.
// (Deno: the runtime touches no `process` there, see host-process.ts; not wrapped here.)
const expected: Record<string, string[]> = { node: ['node:fs'], bun: [] };

describe.each(runtimes.filter((runtime) => runtime.name in expected))('an idle armed process on $name', (runtime) => {
  it('loads only the built-ins its signal watcher and state file need, no node:worker_threads and no CommonJS file, also in the sweep of a gone process\'s files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trapdoor-idle-builtins-'));
    dirs.push(dir);
    // A process that is gone: its pid, once it has exited and been reaped.
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    // Its files, as a process that died without cleaning up leaves them (the socket named in its state file).
    writeFileSync(join(dir, `${gone}.json`), JSON.stringify({ v: 1, pid: Number(gone), runtime: 'node.js', runtimeVersion: 'v20', script: null, trigger: { socket: join(dir, 'custom.sock') }, active: null }), { mode: 0o600 });
    writeFileSync(join(dir, 'custom.sock'), '', { mode: 0o600 });
    writeFileSync(join(dir, `${gone}.sock`), '', { mode: 0o600 });
    const result = spawnSync(runtime.command, [...runtime.args, fixture, gone], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TRAPDOOR_STATE_DIR: dir, TRAPDOOR_SIGNAL: undefined } });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as { asked: string[]; workerThreadsLoaded: boolean | null; trigger: unknown; ownStateFile: boolean; left: string[]; commonJs: string[] };
    expect(report.trigger).toEqual({ signal: runtime.name === 'bun' ? 'SIGUSR1' : 'SIGUSR2' });
    expect(report.ownStateFile).toBe(true);
    expect(report.left).toEqual([]);
    expect(report.commonJs).toEqual([]);
    expect([...new Set(report.asked)].sort()).toEqual(expected[runtime.name]);
    if (runtime.name === 'node') expect(report.workerThreadsLoaded).toBe(false);
  });
});
