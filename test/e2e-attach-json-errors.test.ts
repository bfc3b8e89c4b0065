/**
 * End to end: `trapdoor attach --json` and `trapdoor stack --json` when they fail. A script that
 * asked for JSON reads stdout: it gets `{"error": {"code", "message"}}` there (as `npm --json`
 * does), the usual text on stderr, and the usual exit status. Real processes: a pid that is gone,
 * a plain Node process (no runtime), a program under `trapdoor run` stopped with SIGSTOP (its
 * debugger cannot start: the timeout), and bad command lines.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killTree, programsDir, repoRoot, watch, runTrapdoor } from './e2e/harness.js';

const BIN = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');

const trapdoor = runTrapdoor;

/** A pid no process has: one that has just exited (reaped). */
function goneProcessPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

const plain = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const stopped = spawn(process.execPath, [BIN, 'run', '--port', '0', join(programsDir, 'attach-spin.mjs')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
const stoppedOut = watch(stopped, 'trapdoor run attach-spin.mjs');
afterAll(() => {
  plain.kill();
  killTree(stopped.pid!);
});

/** Both streams: the JSON error on stdout, one line of it, and the text on stderr with the same message. */
function expectJsonError(result: { code: number | null; stdout: string; stderr: string }, command: string, code: string, status: number): string {
  expect(result.code, result.stderr).toBe(status);
  expect(result.stdout.endsWith('\n') && result.stdout.split('\n').length === 2, result.stdout).toBe(true);
  const parsed = JSON.parse(result.stdout) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(parsed.error.code).toBe(code);
  expect(result.stderr).toContain(`trapdoor ${command}: ${parsed.error.message}\n`);
  return parsed.error.message;
}

describe.each(['attach', 'stack'])('trapdoor %s --json, failing', (command) => {
  it('no such process: ERR_TRAPDOOR_NO_SUCH_PROCESS on stdout, exit 1', async () => {
    const pid = goneProcessPid();
    const message = expectJsonError(await trapdoor(command, '--json', String(pid)), command, 'ERR_TRAPDOOR_NO_SUCH_PROCESS', 1);
    expect(message).toBe(`no process with pid ${pid}`);
  });

  it('a process without the runtime: ERR_TRAPDOOR_NOT_TRAPDOOR, exit 1', async () => {
    const message = expectJsonError(await trapdoor(command, String(plain.pid), '--json'), command, 'ERR_TRAPDOOR_NOT_TRAPDOOR', 1);
    expect(message).toContain(`process ${plain.pid}`);
  });

  it('a bad command line: ERR_TRAPDOOR_USAGE, exit 2 (an unknown option, a bad value)', async () => {
    expectJsonError(await trapdoor(command, '--json', '--frobnicate', '1'), command, 'ERR_TRAPDOOR_USAGE', 2);
    const message = expectJsonError(await trapdoor(command, '--json', '--timeout=soon', '1'), command, 'ERR_TRAPDOOR_USAGE', 2);
    expect(message).toBe("option '--timeout' must be a number of seconds greater than 0, not 'soon'");
    expectJsonError(await trapdoor(command, '--json'), command, 'ERR_TRAPDOOR_USAGE', 2);
  });

  it('without --json: stdout stays empty, the text on stderr', async () => {
    const result = await trapdoor(command, String(plain.pid));
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(new RegExp(`^trapdoor ${command}: process ${plain.pid} `));
  });
});

it('a stopped trapdoor process: attach --json and stack --json time out with ERR_TRAPDOOR_TIMEOUT, exit 1', async () => {
  await stoppedOut.line(/^spinning$/);
  // The program is the child of `trapdoor run`; stop it so it cannot start its debugger.
  const program = Number(/^(\d+)/.exec(spawnSync('pgrep', ['-P', String(stopped.pid)], { encoding: 'utf8' }).stdout)![1]);
  process.kill(program, 'SIGSTOP');
  try {
    for (const command of ['attach', 'stack']) {
      const message = expectJsonError(await trapdoor(command, '--json', '--timeout', '1', String(program)), command, 'ERR_TRAPDOOR_TIMEOUT', 1);
      expect(message).toContain(`process ${program}`);
    }
  } finally {
    process.kill(program, 'SIGCONT');
  }
});
