/**
 * The program's stdin under `trapdoor run` is the plain run's: a pipe whose data comes later is
 * read synchronously (`fs.readSync(0, …)`, as prompt libraries and competitive-programming
 * templates do) by waiting for the data, not by failing with EAGAIN. Its stdout and stderr pipes
 * are the plain run's on Bun, and on Node those of any program under a `module.register` (below).
 *
 * `trapdoor run` shares its standard streams with the program (the same open files). The CLI once
 * asked `process.stdin.isTTY` right after starting the program, and on a pipe that getter opens a
 * libuv stream, which sets O_NONBLOCK on the open file: the program's blocking read of an empty
 * pipe then threw EAGAIN (and, none of them a terminal, it asked stdout and stderr as well). The program says it is ready, the test waits, then writes; a read that
 * does not block fails at once, before the data is there. Linux reads the flag from /proc too.
 */
import { spawn } from 'node:child_process';
import Module from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
const BUN = join(ROOT, 'node_modules/.bin/bun');

const dir = mkdtempSync(join(tmpdir(), 'trapdoor-e2e-run-stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = join(dir, 'read-stdin.cjs');
writeFileSync(
  program,
  `const fs = require('node:fs');
// Before anything here opens a stream on them (console.log opens stdout).
const nonBlocking = [0, 1, 2].map((fd) => {
  try {
    const flags = /flags:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/fdinfo/' + fd, 'utf8'));
    return flags ? (parseInt(flags[1], 8) & 0o4000) !== 0 : null;
  } catch {
    return null;
  }
});
console.log('ready');
const buffer = Buffer.alloc(256);
let text = '';
let error = null;
try {
  for (let n; (n = fs.readSync(0, buffer, 0, buffer.length, null)) > 0; ) text += buffer.toString('utf8', 0, n);
} catch (e) {
  error = e.code;
}
console.log(JSON.stringify({ nonBlocking, text, error }));
`,
);

/** Runs `command` with a pipe for stdin, written 300 ms after the program says it is ready. */
function withLateInput(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let written = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!written && stdout.includes('ready\n')) {
        written = true;
        setTimeout(() => child.stdin.end('late input\n'), 300);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Node 20's module.register (the loader's ES module hooks) starts a worker whose output Node pipes
// to process.stdout and process.stderr, and so opens them: a stdout or stderr pipe is O_NONBLOCK
// from the program's first line, where the plain run has it so from its first console.log. An empty
// module.register does the same (checked below); stdin, which only the CLI could touch, is as in
// the plain run. Where Node has module.registerHooks (22.15+) the loader runs its hooks on the
// program's own thread, starts no worker, and the run is the plain run's.
const hooksInThread = typeof (Module as { registerHooks?: unknown }).registerHooks === 'function';
const emptyRegister = join(dir, 'empty-register.cjs');
writeFileSync(emptyRegister, "require('node:module').register('data:text/javascript,export {};', 'file:///');\n");

describe.each([
  ['node', process.execPath],
  ['bun', BUN],
] as const)('trapdoor run --runtime %s: stdin', (runtime, executable) => {
  it('a blocking read of a pipe waits for the data, as in the plain run', async () => {
    const plain = await withLateInput(executable, [program]);
    const report = JSON.parse(plain.stdout.replace(/^ready\n/, ''));
    expect(report).toEqual({ nonBlocking: expect.any(Array), text: 'late input\n', error: null });
    expect(report.nonBlocking[0]).toBe(process.platform === 'linux' ? false : null);
    const run = await withLateInput(process.execPath, [BIN, 'run', '--runtime', runtime, program]);
    if (runtime === 'node' && process.platform === 'linux' && !hooksInThread) {
      const floor = await withLateInput(executable, ['--require', emptyRegister, program]);
      expect(JSON.parse(floor.stdout.replace(/^ready\n/, '')).nonBlocking).toEqual([false, true, true]);
      expect(run).toEqual({ ...floor });
    } else {
      expect(run).toEqual(plain);
    }
  });
});
