/**
 * End to end: `trapdoor run` starts a real program on Node, Bun or Deno; `trapdoor attach` and
 * `trapdoor stack` (the real CLI, spawned) find it by pid and start its debugger from outside,
 * by signal or by control socket; chrome-remote-interface then pauses it, changes a local and lets
 * it finish. Nothing here asserts on wall-clock time.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { describe, expect, it } from 'vitest';
import { descendants, programsDir, repoRoot, TRAPDOOR_BIN as BIN, trackProcesses, watch, within, runTrapdoor } from './e2e/harness.js';

const RUNTIMES = ['node', 'bun', 'deno'] as const;
type RuntimeName = (typeof RUNTIMES)[number];
const SIGNAL: Record<RuntimeName, string> = { node: 'SIGUSR2', bun: 'SIGUSR1', deno: 'SIGUSR2' };
const program = (name: string): string => join(programsDir, name);

interface Running {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  line(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  describe(): string;
}

const tracked = trackProcesses();

/** `trapdoor run --runtime <runtime> --port 0 [flags] <script> [args]`. */
function run(runtime: RuntimeName, script: string, { flags = [], args = [], env = {} }: { flags?: string[]; args?: string[]; env?: Record<string, string> } = {}): Running {
  const proc = tracked.spawn(process.execPath, [BIN, 'run', '--runtime', runtime, '--port', '0', ...flags, script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  const watched = watch(proc, `${runtime} ${script}`);
  return { proc, ...watched, exited: watched.closed };
}

const trapdoor = runTrapdoor;

async function attachJson(pid: number, running: Running): Promise<{ pid: number; wsUrl: string; port: number; devtoolsUrl: string; runtime: string }> {
  const result = await trapdoor('attach', '--json', String(pid));
  expect(result, running.describe()).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

async function connect(wsUrl: string): Promise<any> {
  return tracked.client(await CDP({ target: wsUrl, local: true }));
}

/** The state file the program's runtime wrote (packages/runtime/src/discovery.ts). */
const stateOf = (pid: number): any => JSON.parse(readFileSync(join(`/tmp/trapdoor-${process.getuid!()}`, `${pid}.json`), 'utf8'));

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));

describe.each(RUNTIMES)('trapdoor attach and stack on %s', (runtime) => {
  it('busy: stack (twice) shows the loop with its locals, attach gives a debugger that ends the loop', async () => {
    const script = program('attach-spin.mjs');
    const running = run(runtime, script);
    await running.line(/^spinning$/);
    await settle(); // let the loop get hot; not asserted

    // The pid of `trapdoor run` itself: stack finds the program among its children.
    const first = await trapdoor('stack', String(running.proc.pid));
    expect(first, running.describe()).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^Process \d+ \((node\.js|Bun|Deno) [^)]+\), paused \(other\), then resumed:$/m);
    expect(first.stdout).toContain(`    at spin (${script}:5:3)\n`);
    expect(first.stdout).toMatch(/^ {8}attempts = (\d+)$/m);
    expect(first.stdout).toMatch(/^ {8}found = null$/m);
    expect(first.stdout).toMatch(/^ {8}limit = 1000$/m);
    expect(first.stdout).toContain(`${script}:12:`); // the caller, at top level
    const attempts1 = Number(/attempts = (\d+)/.exec(first.stdout)![1]);

    const second = await trapdoor('stack', '--json', String(running.proc.pid));
    expect(second, running.describe()).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(second.stdout);
    expect(report).toMatchObject({ state: 'paused', frames: [{ functionName: 'spin', file: script, line: 5, column: 3 }, { file: script, line: 12 }] });
    const attempts2 = Number(report.locals.find((l: { name: string }) => l.name === 'attempts').value);
    expect(attempts2).toBeGreaterThan(attempts1); // it ran on between the two

    const address = await attachJson(running.proc.pid!, running);
    expect(address.pid).toBe(report.pid);
    expect(address.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}$/);
    expect(address.devtoolsUrl).toBe(`devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=${address.wsUrl.slice('ws://'.length)}`);
    // Activated by the runtime's default signal, through the native watcher.
    const state = stateOf(address.pid);
    expect(state).toMatchObject({ pid: address.pid, trigger: { signal: SIGNAL[runtime] }, active: { wsUrl: address.wsUrl } });

    const client = await connect(address.wsUrl);
    await client.Debugger.enable();
    const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    const event = await paused;
    expect(event.callFrames[0]).toMatchObject({ functionName: 'spin', url: `file://${script}`, location: { lineNumber: 4, columnNumber: 2 } });
    const set = await client.Debugger.evaluateOnCallFrame({ callFrameId: event.callFrames[0].callFrameId, expression: 'found = attempts' });
    expect(set.result.type).toBe('number');
    await client.Debugger.resume();
    await running.line(/^found a positive number$/);
    expect(await running.exited).toEqual({ code: 0, signal: null });
    // One activation, however many times it was asked for.
    expect(running.stderr().match(/Debugger listening on/g)).toHaveLength(1);
    // `trapdoor run` removed what the program left behind.
    expect(existsSync(join(`/tmp/trapdoor-${process.getuid!()}`, `${address.pid}.json`))).toBe(false);
  });

  it("CommonJS: stack shows the program's frames only (not trapdoor's loader)", async () => {
    const script = join(repoRoot, 'examples', 'stuck.js');
    const running = run(runtime, script);
    await running.line(/^longest below 10000/);
    const stack = await trapdoor('stack', '--json', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(stack.stdout);
    expect(report.frames).toEqual([{ functionName: '', file: script, line: 27, column: 1 }]);
    expect(report.locals).toContainEqual({ name: 'found', value: 'null' });
  });

  it('idle: stack says so; attach activates from the event loop; a client ends the program', async () => {
    const running = run(runtime, program('attach-idle.mjs'));
    await running.line(/^idle$/);
    const stack = await trapdoor('stack', '--idle-after', '0.5', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    expect(stack.stdout).toMatch(/^Process \d+ \([^)]+\) is idle: no JavaScript is running/);
    const address = await attachJson(running.proc.pid!, running);
    const client = await connect(address.wsUrl);
    const { result } = await client.Runtime.evaluate({ expression: 'stopTicking()' });
    expect(result).toMatchObject({ type: 'string', value: 'stopping' });
    await client.close();
    await running.line(/^stopped$/);
    expect(await running.exited).toEqual({ code: 0, signal: null });
  });

  it('without a signal (--signal none): attach and stack use the control socket', async () => {
    const script = program('attach-spin.mjs');
    const running = run(runtime, script, { flags: ['--signal', 'none'] });
    await running.line(/^spinning$/);
    const stack = await trapdoor('stack', '--json', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(stack.stdout);
    expect(report.frames[0]).toMatchObject({ functionName: 'spin', file: script, line: 5, column: 3 });
    const state = stateOf(report.pid);
    expect(state.trigger).toEqual({ socket: expect.stringMatching(/\.sock$/), signalProblem: 'TRAPDOOR_SIGNAL=none' });
    expect(state.active).toMatchObject({ wsUrl: expect.stringMatching(/^ws:/) });
  });

  it("the program's own listener for the signal wins; attach switches to the control socket", async () => {
    const signal = SIGNAL[runtime];
    const running = run(runtime, program('attach-own-listener.mjs'), { args: [signal] });
    await running.line(/^listening$/);
    const [pid] = descendants(running.proc.pid!).slice(-1);
    process.kill(pid!, signal);
    await running.line(new RegExp(`^own listener got ${signal}$`));
    await running.line(/^spinning$/);
    expect(running.stderr()).not.toContain('Debugger listening');
    const address = await attachJson(running.proc.pid!, running);
    const state = stateOf(address.pid);
    expect(state.trigger).toEqual({ socket: expect.stringMatching(/\.sock$/), signalProblem: `the program listens for ${signal} itself` });
    const client = await connect(address.wsUrl);
    await client.Debugger.enable();
    const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    const event = await paused;
    expect(event.callFrames[0]).toMatchObject({ functionName: 'spin' });
    await client.Debugger.evaluateOnCallFrame({ callFrameId: event.callFrames[0].callFrameId, expression: 'done = true' });
    await client.Debugger.resume();
    await running.line(/^spun some rounds$/);
    await client.close();
    expect(await running.exited).toEqual({ code: 0, signal: null });
  });
});

/** A port held by this test process (so the program cannot have it). */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.each(RUNTIMES)('--port and --host on %s', (runtime) => {
  it("an explicit --port that is taken: Node's message on the program's stderr, attach exits 1 with it; attach works once it is free", async () => {
    const held = await holdPort();
    let released = false;
    try {
      const running = run(runtime, program('attach-spin.mjs'), { flags: ['--port', String(held.port)] });
      await running.line(/^spinning$/);
      const message = `Starting inspector on 127.0.0.1:${held.port} failed: address already in use`;
      const failed = await trapdoor('attach', String(running.proc.pid));
      expect(failed.code, running.describe()).toBe(1);
      expect(failed.stderr).toMatch(new RegExp(`^trapdoor attach: process \\d+: ${message.replace(/\./g, '\\.')}\n$`));
      expect(failed.stdout).toBe('');
      expect(running.stderr()).toContain(`${message}\n`);
      expect(running.stderr()).not.toContain('Debugger listening');
      expect(running.proc.exitCode).toBeNull(); // the program carries on, as under node --inspect
      await held.release();
      released = true;
      const address = await attachJson(running.proc.pid!, running);
      expect(address.port).toBe(held.port);
      expect(stateOf(address.pid)).toMatchObject({ active: { port: held.port }, failure: null });
    } finally {
      if (!released) await held.release();
    }
  });

  it('--host 0.0.0.0: the banner and the attach URLs name 127.0.0.1, and a client connects with them', async () => {
    const running = run(runtime, program('attach-spin.mjs'), { flags: ['--host', '0.0.0.0'] });
    await running.line(/^spinning$/);
    const address = await attachJson(running.proc.pid!, running);
    expect(address.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    expect(running.stderr()).toContain(`Debugger listening on ${address.wsUrl}\n`);
    const client = await connect(address.wsUrl); // the Host check lets it in
    const { result } = await client.Runtime.evaluate({ expression: '6 * 7' });
    expect(result.value).toBe(42);
    // And /json/list, asked with the address printed, gives URLs that work the same way.
    const list = await (await fetch(`http://127.0.0.1:${address.port}/json/list`)).json();
    expect(list[0].webSocketDebuggerUrl).toBe(address.wsUrl);
  });
});

describe.each(RUNTIMES)('trapdoor stack, when the main thread does not pause, on %s', (runtime) => {
  it('main thread idle, a worker thread spinning: says so and how much CPU the process uses, not "no JavaScript is running"', async () => {
    // Deno asks for read access to the worker's file, as without trapdoor.
    const running = run(runtime, program('attach-worker-spin.mjs'), { flags: runtime === 'deno' ? ['--allow-read'] : [] });
    await running.line(/^worker spinning$/);
    const stack = await trapdoor('stack', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    expect(stack.stdout).toMatch(
      new RegExp(
        "^Process \\d+ \\([^)]+\\): main thread idle, waiting in its event loop; the process is using \\d+% CPU, likely in another thread \\(thread \\d+ '[^']+' \\d+%; " +
          // Node instruments the worker's module (trapdoor run's loader): its stack follows (e2e-worker-attach.test.ts). Bun's and Deno's workers are not instrumented.
          (runtime === 'node'
            ? 'its workers follow\\)\\.\\n\\nWorker thread \\d+, paused \\(other\\), then resumed:\\n\\n    at .*attach-worker-spin\\.worker\\.mjs:6:\\d+\\n'
            : "no worker thread with trapdoor's runtime activated\\)\\.\\n$"),
      ),
    );
    const json = JSON.parse((await trapdoor('stack', '--json', String(running.proc.pid))).stdout);
    expect(json).toMatchObject({ state: 'idle', frames: [], cpu: { mainThread: expect.any(Number), busiest: { tid: expect.any(Number) } } });
    // The busy thread is not the main one (which uses next to nothing while it waits).
    expect(json.cpu.busiest.tid).not.toBe(json.pid);
    expect(json.cpu.busiest.percent).toBeGreaterThan(json.cpu.mainThread);
  });

  it('main thread busy in code without checks (evaluated code): says it did not pause and is using CPU, and does not hang', async () => {
    const running = run(runtime, program('attach-idle.mjs'));
    await running.line(/^idle$/);
    const address = await attachJson(running.proc.pid!, running);
    const client = await connect(address.wsUrl);
    // Code a debugger evaluates is not instrumented: this loop never passes a check.
    await client.Runtime.evaluate({ expression: "setTimeout(() => eval('for (;;) {}'), 100), 'later'" });
    await client.close();
    await settle();
    const stack = await trapdoor('stack', '--idle-after', '1', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    expect(stack.stdout).toMatch(/^Process \d+ \([^)]+\) did not pause: its main thread is using \d+% CPU in code without checks/);
  });
});

describe.each(RUNTIMES)('a program that never loads the runtime itself on %s', (runtime) => {
  // Plain statements only: nothing is instrumented, so only trapdoor run's loader loads the runtime.
  it.each(['attach-plain.cjs', 'attach-plain.mjs'])('%s: stack says it is idle, attach gives a debugger that evaluates', async (name) => {
    const running = run(runtime, program(name));
    await running.line(/^plain /);
    const stack = await trapdoor('stack', '--idle-after', '0.5', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    expect(stack.stdout).toMatch(/^Process \d+ \([^)]+\) is idle/);
    const address = await attachJson(running.proc.pid!, running);
    const client = await connect(address.wsUrl);
    const { result } = await client.Runtime.evaluate({ expression: 'typeof setTimeout + 1' });
    expect(result).toMatchObject({ type: 'string', value: 'function1' });
    expect(running.stdout()).toBe(name.endsWith('.cjs') ? 'plain object\n' : 'plain true\n');
  });
});

describe.each(RUNTIMES)('nothing changes before activation on %s', (runtime) => {
  const plain: Record<RuntimeName, string[]> = { node: [process.execPath], bun: [join(repoRoot, 'node_modules/.bin/bun')], deno: [join(repoRoot, 'node_modules/.bin/deno'), 'run'] };
  it.each([
    ['the signal watcher', [], 'attach-ends.mjs', 'sum 499500\ntimer 1,2,3\n'],
    ['the control socket', ['--signal', 'none'], 'attach-ends.mjs', 'sum 499500\ntimer 1,2,3\n'],
    // Nothing instrumented: the runtime only comes from the loader's preload.
    ['plain statements only', [], 'attach-plain-ends.cjs', 'plain object true\ntimer 1 2\n'],
  ])('a program that ends by itself ends the same, with %s', async (_title, flags, name, output) => {
    const script = program(name);
    const [command, ...args] = plain[runtime];
    const expected = spawnSync(command!, [...args, script], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(expected).toMatchObject({ status: 3, stdout: output });
    const running = run(runtime, script, { flags });
    expect(await within(running.exited, 'the program to end by itself', running.describe)).toEqual({ code: 3, signal: null });
    expect(running.stdout()).toBe(expected.stdout);
    expect(running.stderr()).toBe(expected.stderr);
  });
});

describe('trapdoor attach: the process cannot be reached', () => {
  it('deno without --allow-ffi falls back to the control socket', async () => {
    const script = program('attach-spin.mjs');
    const running = run('deno', script, { flags: ['--deny-ffi'] });
    await running.line(/^spinning$/);
    const address = await attachJson(running.proc.pid!, running);
    const state = stateOf(address.pid);
    expect(state.trigger).toEqual({ socket: expect.stringMatching(/\.sock$/), signalProblem: 'Deno was not given --allow-ffi (the native signal watcher cannot load)' });
  });

  it('the activation signal sent to `trapdoor run` itself reaches the program', async () => {
    const running = run('node', program('attach-spin.mjs'));
    await running.line(/^spinning$/);
    process.kill(running.proc.pid!, 'SIGUSR2');
    await within(
      new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (running.stderr().includes('Debugger listening on ws://')) {
            clearInterval(check);
            resolve();
          }
        }, 20);
      }),
      'the banner',
      running.describe,
    );
    expect(running.proc.exitCode).toBeNull(); // the wrapper was not killed by the signal
  });

  it('a stopped process: attach gives up after --timeout with a clear error, exit 1', async () => {
    const running = run('node', program('attach-spin.mjs'));
    await running.line(/^spinning$/);
    const [pid] = descendants(running.proc.pid!).slice(-1);
    process.kill(pid!, 'SIGSTOP');
    try {
      const result = await trapdoor('attach', '--timeout', '1', String(pid));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^trapdoor attach: process ${pid}: sent SIGUSR2, but its debugger did not start within 1 s\\. The process may be stopped`));
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
    // Once it runs again, the signal it got while stopped activates it.
    const address = await attachJson(pid!, running);
    expect(address.pid).toBe(pid);
  });

  /** `bash -c <script>` with the program's output; `$RUN` in the script is `node <bin> run --port 0`. */
  function shell(script: string): { proc: ChildProcess; idle: Promise<void> } {
    const proc = tracked.spawn('bash', ['-c', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUN: `${process.execPath} ${BIN} run --port 0` },
    });
    let out = '';
    const idle = within(
      new Promise<void>((resolve) => proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c).includes('idle\n') && resolve())),
      'the program to print idle',
      () => out,
    );
    return { proc, idle };
  }

  it('trapdoor attach 1: pid 1 never stands for a process below it; the error names the pid to give, exit 1', async () => {
    const running = run('node', program('attach-idle.mjs'));
    await running.line(/^idle$/);
    const [pid] = descendants(running.proc.pid!).slice(-1);
    for (const command of ['attach', 'stack']) {
      const result = await trapdoor(command, '1');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^trapdoor ${command}: process 1 (\\(.*\\) )?does not run trapdoor's runtime, and it does not stand for the process(es)? below it that do(es)?: it is the init process, which every process descends from\\. Give the program's own pid: `));
      // Other trapdoor processes may run on this machine; ours is listed (when among the first five).
      if (!/and \d+ more\.$/.test(result.stderr.trim())) expect(result.stderr).toContain(`${pid} (${program('attach-idle.mjs')})`);
    }
    expect(running.stderr()).not.toContain('Debugger listening'); // nothing was activated
  });

  it("a shell does not stand for its other jobs (job control puts each in its own process group)", async () => {
    const job = shell('set -m; $RUN test/e2e/programs/attach-idle.mjs & wait');
    await job.idle;
    const [pid] = descendants(job.proc.pid!).slice(-1);
    const result = await trapdoor('attach', String(job.proc.pid));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^trapdoor attach: process ${job.proc.pid} \\(bash -c .*\\) does not run trapdoor's runtime, and it does not stand for the process below it that does: it is not in the same job \\(process group \\d+; the program's is \\d+\\)\\. Give the program's own pid: ${pid} \\(`),
    );
    // The program's own pid works.
    expect((await trapdoor('attach', '--json', String(pid))).code).toBe(0);
  });

  it('a parent in the same job (a script that runs trapdoor run, as npm start does) stands for the program', async () => {
    const job = shell('$RUN test/e2e/programs/attach-idle.mjs; exit $?');
    await job.idle;
    const [pid] = descendants(job.proc.pid!).slice(-1);
    const result = await trapdoor('attach', '--json', String(job.proc.pid));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout).pid).toBe(pid);
  });

  it('a process without trapdoor, a pid that does not exist, a bad pid', async () => {
    const plain = tracked.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    for (const command of ['attach', 'stack']) {
      const none = await trapdoor(command, String(plain.pid));
      expect(none.code).toBe(1);
      // The command line as ps shows it, cut with an ellipsis where it is long (a long path to node).
      expect(none.stderr).toMatch(new RegExp(`^trapdoor ${command}: process ${plain.pid} \\(.*node -(e setTimeout.*|…)\\) does not run trapdoor's runtime`));
      const gone = spawnSync(process.execPath, [BIN, command, '4194303'], { encoding: 'utf8' });
      expect(gone.status).toBe(1);
      expect(gone.stderr).toBe(`trapdoor ${command}: no process with pid 4194303\n`);
      const bad = spawnSync(process.execPath, [BIN, command, '12x'], { encoding: 'utf8' });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain(`trapdoor ${command}: <pid> must be a process id (a positive integer), not '12x'`);
    }
  });
});
