import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runtimes } from './inspector/agent/fixtures/harness.mjs';

const fixture = fileURLToPath(new URL('./fixtures/threads.mjs', import.meta.url));

describe.each(runtimes)('threads on $name (real threads)', (runtime) => {
  // Bun answers without loading node:worker_threads on the main thread (Bun.isMainThread) and uses
  // the global BroadcastChannel: the answers must be node:worker_threads' own on every runtime,
  // and the channel must reach the main thread from every kind of thread.
  it("says what node:worker_threads says, in the main thread, a worker_threads worker and a web Worker, and its BroadcastChannel reaches the main thread from each", () => {
    const result = spawnSync(runtime.command, [...runtime.args, fixture], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status, result.stderr).toBe(0);
    const { reports, loadedByImport } = JSON.parse(result.stdout) as {
      reports: Record<string, { isMainThread: boolean; threadId: number; wtIsMainThread: boolean; wtThreadId: number }>;
      loadedByImport: boolean | null;
    };
    // Node's main thread is told without node:worker_threads too (about 3 ms of CPU in every process).
    if (runtime.name === 'node') expect(loadedByImport).toBe(false);
    expect(Object.keys(reports).sort()).toEqual(runtime.name === 'node' ? ['main', 'node-worker'] : ['main', 'node-worker', 'web-worker']);
    expect(reports.main).toEqual({ isMainThread: true, threadId: 0, wtIsMainThread: true, wtThreadId: 0 });
    expect(reports['node-worker']).toMatchObject({ isMainThread: false, wtIsMainThread: false });
    for (const report of Object.values(reports)) {
      expect(report.isMainThread).toBe(report.wtIsMainThread);
      expect(report.threadId).toBe(report.wtThreadId);
    }
  });
});
