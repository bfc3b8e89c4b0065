/**
 * End to end: a busy WORKER thread is reached through its process (the runtime's
 * thread-registry.ts). `trapdoor run` on Node instruments the worker's module; `trapdoor attach
 * <pid>` activates the process, the busy worker activates its own debugger at its next check and
 * is listed (its WebSocket URL); chrome-remote-interface pauses it at its loop with its locals,
 * ends the loop and the program finishes. Then Vitest's threads pool under `trapdoor test`: while
 * a stuck test hangs, `trapdoor stack <pid>` prints the test's loop from the worker thread.
 * Bun's and Deno's workers are not instrumented by `trapdoor run` (not covered). Nothing here
 * asserts on wall-clock time.
 */
import { type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programsDir, repoRoot, TRAPDOOR_BIN as BIN, trackProcesses, watch, within, runTrapdoor } from './e2e/harness.js';

const MAIN = join(programsDir, 'worker-spin-main.mjs');
const WORKER = join(programsDir, 'worker-spin.mjs');
const lineOf = (file: string, text: string): number => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

let work: string;
let stateDir: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-worker-attach-'));
  stateDir = join(work, 'state');
  mkdirSync(stateDir, { mode: 0o700 });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const tracked = trackProcesses();

/** trapdoor's CLI, killed after the test with its descendants. */
function start(args: string[], cwd = repoRoot): ReturnType<typeof watch> & { proc: ChildProcess } {
  return startProgram([process.execPath, BIN, ...args], cwd, args.join(' '));
}

/** A program of the user's (not trapdoor's CLI), killed after the test with its descendants. */
function startProgram(argv: string[], cwd: string, label = argv.join(' ')): ReturnType<typeof watch> & { proc: ChildProcess } {
  const proc = tracked.spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', TRAPDOOR_STATE_DIR: stateDir } });
  return { proc, ...watch(proc, label) };
}

const trapdoor = runTrapdoor;

describe('a busy worker thread of a program started with trapdoor run (Node)', () => {
  it('attach lists the worker\'s debugger; a CDP client pauses it at its loop with its locals, ends the loop, and the program finishes', async () => {
    const running = start(['run', '--runtime', 'node', '--port', '0', MAIN]);
    await running.line(/^worker: spinning$/);

    const attached = await trapdoor('attach', '--json', String(running.proc.pid));
    expect(attached, running.describe()).toMatchObject({ code: 0, stderr: '' });
    const address = JSON.parse(attached.stdout);
    expect(address.threads, attached.stdout).toHaveLength(1);
    const [thread] = address.threads;
    expect(thread.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}$/);
    expect(thread.wsUrl).not.toBe(address.wsUrl); // the worker's own debugger, not the main thread's
    expect(thread.devtoolsUrl).toContain(thread.wsUrl.slice('ws://'.length));
    // The state file lists it too (what attach read).
    const state = JSON.parse(readFileSync(join(stateDir, `${address.pid}.json`), 'utf8'));
    expect(state).toMatchObject({ workers: 1, threads: [{ threadId: thread.threadId, wsUrl: thread.wsUrl }] });

    // The plain text form names it as well.
    const text = await trapdoor('attach', String(running.proc.pid));
    expect(text.stdout).toContain(`Worker thread ${thread.threadId} (was running instrumented code)\n  WebSocket:  ${thread.wsUrl}\n`);

    const client = tracked.client(await CDP({ target: thread.wsUrl, local: true }));
    await client.Debugger.enable({});
    const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    const event = await within(paused, 'the worker pauses', running.describe);
    const top = event.callFrames[0];
    expect(top).toMatchObject({ functionName: 'spin', url: `file://${WORKER}`, location: { lineNumber: lineOf(WORKER, 'while (!stop)') - 1 } });
    const local = top.scopeChain.find((s: { type: string }) => s.type === 'local');
    const { result } = await client.Runtime.getProperties({ objectId: local.object.objectId, ownProperties: true });
    const names = Object.fromEntries(result.map((p: any) => [p.name, p.value]));
    expect(names.limit).toMatchObject({ type: 'number', value: 1000 });
    expect(names.stop).toMatchObject({ type: 'boolean', value: false });
    expect(names.count.type).toBe('number');
    // Ends the loop from the debugger: the worker goes on, reports, exits, and so does the program.
    const set = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'stop = true' });
    expect(set.result).toMatchObject({ type: 'boolean', value: true });
    await client.Debugger.resume();
    await running.line(/^worker: stopped at \d+$/);
    await running.line(/^worker exited with 0$/);
    expect(await running.closed).toEqual({ code: 0, signal: null });
  });

  it.each([[[]], [['--signal', 'none']]])("stack %j shows the worker's loop with its locals after the idle main thread (signal, control socket)", async (flags: string[]) => {
    const running = start(['run', '--runtime', 'node', '--port', '0', ...flags, MAIN]);
    await running.line(/^worker: spinning$/);
    const stack = await trapdoor('stack', '--json', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(stack.stdout);
    expect(report.state).toBe('idle'); // the main thread waits for the worker
    expect(report.threads).toHaveLength(1);
    expect(report.threads[0].state).toBe('paused');
    expect(report.threads[0].frames[0]).toMatchObject({ functionName: 'spin', file: WORKER, line: lineOf(WORKER, 'while (!stop)') });
    expect(report.threads[0].frames[1]).toMatchObject({ file: WORKER, line: lineOf(WORKER, 'stopped at') }); // its caller
    expect(report.threads[0].locals).toContainEqual({ name: 'limit', value: '1000' });
    expect(report.threads[0].locals).toContainEqual({ name: 'stop', value: 'false' });
    // Reached through the trigger asked for: the signal, or the control socket.
    const state = JSON.parse(readFileSync(join(stateDir, `${report.pid}.json`), 'utf8'));
    expect(Object.keys(state.trigger)).toContain(flags.length === 0 ? 'signal' : 'socket');
  });
});

/**
 * `trapdoor stack --json <pid>` until `done(report)`, looks half a second apart for at most 90 s. A
 * failing look must say `notYet` (the runtime is not loaded yet); the caller asserts on the last
 * report, with `seen` (every look) for the failure message.
 */
async function stackUntil(running: { proc: { pid?: number }; describe(): string }, notYet: RegExp, done: (report: any) => boolean): Promise<{ report: any; seen: string[] }> {
  let report: any;
  const seen: string[] = [];
  // By time, not by count: on a loaded CI host Vitest's worker can take half a minute to reach the loop.
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    const stack = await trapdoor('stack', '--json', String(running.proc.pid));
    seen.push(`${stack.code} ${stack.stdout.slice(0, 600)} ${stack.stderr}`);
    if (stack.code === 0) {
      report = JSON.parse(stack.stdout);
      if (done(report)) break;
    } else expect(stack.stderr, running.describe()).toMatch(notYet);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { report, seen };
}

describe("Vitest's threads pool under trapdoor test", () => {
  it('while a stuck test hangs in a worker thread, stack <trapdoor test pid> shows its loop and locals', async () => {
    const dir = mkdtempSync(join(work, 'stuck-'));
    cpSync(join(repoRoot, 'test', 'test-runners', 'vitest', 'stuck'), dir, { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // A deadline far away: the test hangs for as long as this test looks at it.
    const running = start(['test', '--timeout', '600000', '--', join('node_modules', '.bin', 'vitest'), 'run', '--pool=threads', 'test/while.test.ts'], dir);
    const file = join(dir, 'test', 'while.test.ts');
    // The loop's own line and column, where the deadline would say it is stuck: the paused top
    // frame is placed by the site table (pause.ts), not by Vite's map of the check inside the body.
    const loop = lineOf(file, 'while (true) {');
    const inLoop = (frame: { file?: string; line?: number; column?: number } | undefined): boolean => frame?.file === file && frame.line === loop && frame.column === readFileSync(file, 'utf8').split('\n')[loop - 1]!.indexOf('while') + 1;
    // The worker may still be loading the test (stopped at another check) on the first look;
    // before Vitest's process has loaded its config there is nothing to attach to yet.
    const { report, seen } = await stackUntil(running, /does not run trapdoor's runtime|no process below/, (r) => inLoop(r.threads?.[0]?.frames?.[0]));
    expect(report?.threads?.[0]?.state, `${seen.join('\n')}\n${running.describe()}`).toBe('paused');
    expect(report.threads[0].frames[0], `${JSON.stringify(report.threads[0].frames[0])}\n${seen.slice(-3).join('\n')}`).toSatisfy(inLoop);
    expect(report.threads[0].frames[0].functionName).toBe('');
    expect(report.threads[0].locals.map((l: { name: string }) => l.name)).toContain('warm');
    expect(running.stdout()).not.toContain('timed out'); // still hanging, not failed by its deadline
  }, 180_000);
});

describe("trapdoor-js/vitest in the project's vitest.config, threads pool (no trapdoor test)", () => {
  it('while a stuck test hangs in a worker thread, stack <vitest pid> shows its loop and locals', async () => {
    const dir = mkdtempSync(join(work, 'plugin-'));
    cpSync(join(repoRoot, 'test', 'test-runners', 'vitest', 'plugin'), dir, { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // The plugin's deadline far away: the test hangs for as long as this test looks at it.
    writeFileSync(join(dir, 'vitest.config.mjs'), "import { defineConfig } from 'vitest/config';\nimport trapdoor from 'trapdoor-js/vitest';\nexport default defineConfig({ plugins: [trapdoor({ timeout: 600000 })] });\n");
    const running = startProgram([process.execPath, join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--pool=threads'], dir);
    const file = join(dir, 'test', 'spin.test.js');
    const loop = lineOf(file, 'while (Date.now() < until)');
    // Before Vitest has set up its projects the runtime is not loaded yet.
    const { report, seen } = await stackUntil(running, /does not run trapdoor's runtime/, (r) => r.threads?.[0]?.frames?.[0]?.file === file);
    expect(report?.threads?.[0]?.state, `${seen.join('\n')}\n${running.describe()}`).toBe('paused');
    expect(report.threads[0].frames[0]).toMatchObject({ file, line: loop, column: readFileSync(file, 'utf8').split('\n')[loop - 1]!.indexOf('while') + 1 });
    expect(report.threads[0].locals.map((l: { name: string }) => l.name)).toContain('until');
    expect(running.stdout()).not.toContain('timed out'); // still hanging, not failed by its deadline
  }, 180_000);
});
