/**
 * trackProcesses (test/e2e/harness.ts), the cleanup the end-to-end files share: what one test
 * tracks is ended after it, before the next test runs: its processes SIGKILLed with their
 * descendants, its clients closed once (a failing close ignored); a forgotten process and a client
 * closed within the test are left alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, trackProcesses } from './e2e/harness.js';

const tracked = trackProcesses();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const exit = (proc: ChildProcess) => new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));

describe('trackProcesses', () => {
  let shell: ChildProcess;
  let shellExit: Promise<NodeJS.Signals | null>;
  let grandchild = 0;
  let forgotten: ChildProcess;
  const closes: string[] = [];
  afterAll(() => void forgotten?.kill('SIGKILL'));

  it('tracks (nothing ended yet, within the test)', async () => {
    // A shell whose child sleeps: both must go, as `trapdoor run` and the program it started.
    shell = tracked.spawn('sh', ['-c', 'sleep 60 & wait'], { stdio: 'ignore' });
    shellExit = exit(shell);
    forgotten = tracked.track(spawn('sleep', ['60'], { stdio: 'ignore' }));
    tracked.forget(forgotten);
    tracked.client({ close: async () => void closes.push('kept') });
    tracked.client({ close: async () => (closes.push('failing'), Promise.reject(new Error('already gone'))) });
    const early = tracked.client({ close: async () => void closes.push('early') });
    await tracked.close(early);
    for (let i = 0; i < 200 && grandchild === 0; i++) {
      grandchild = descendants(shell.pid!)[0] ?? 0;
      if (grandchild === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(grandchild).toBeGreaterThan(0);
    expect(alive(shell.pid!) && alive(grandchild)).toBe(true);
    expect(closes).toEqual(['early']);
  });

  it('ended it all after that test, each client closed once; left alone what it was told to', async () => {
    expect(await shellExit).toBe('SIGKILL');
    for (let i = 0; i < 200 && alive(grandchild); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(alive(grandchild)).toBe(false);
    expect(closes.sort()).toEqual(['early', 'failing', 'kept']);
    expect(alive(forgotten.pid!)).toBe(true);
  });
});
