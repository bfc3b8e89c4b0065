/**
 * @trapdoor-js/native end to end: real child processes on Node, Bun and Deno (src/fixtures/child.mjs),
 * real signals sent with process.kill. No assertion depends on wall-clock time: children report
 * through stdout lines, the test waits for them (under vitest's generous timeouts), and every
 * child still running after a test is killed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as native from '../index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/child.mjs', import.meta.url));
const requireFixture = fileURLToPath(new URL('./fixtures/require.cjs', import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

type Runtime = { name: 'node' | 'bun' | 'deno'; command: string; args: string[] };
// No --allow-env: loading the addon reads no environment variable (binding.cjs).
const DENO_FLAGS = ['run', '--allow-ffi', '--allow-read'];
const runtimes: Runtime[] = [
  { name: 'node', command: process.execPath, args: [] },
  { name: 'bun', command: bin('bun'), args: [] },
  { name: 'deno', command: bin('deno'), args: DENO_FLAGS },
].filter((r) => r.name === 'node' || existsSync(r.command)) as Runtime[];

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type Child = {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  line: (match: RegExp) => Promise<string>;
  send: (line: string) => void;
  kill: (signal: NodeJS.Signals) => void;
  exited: Promise<Exit>;
  describe: () => string;
};

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const proc of children) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  children.clear();
});

function run(runtime: Runtime, args: string[], script = fixture): Child {
  const proc = spawn(runtime.command, [...runtime.args, script, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.add(proc);
  const lines: string[] = [];
  let err = '';
  let partial = '';
  const waiters: { match: RegExp; resolve: (l: string) => void }[] = [];
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (chunk: string) => (err += chunk));
  proc.stdin!.on('error', () => {}); // the child may be gone already
  const exited = new Promise<Exit>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const describeChild = () => `${runtime.name} ${args.join(' ')}\nstdout:\n${lines.join('\n')}\nstderr:\n${err}`;
  return {
    proc,
    lines,
    stderr: () => err,
    line(match) {
      const seen = lines.find((l) => match.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        exited.then((e) => reject(new Error(`exited (${JSON.stringify(e)}) before a line matching ${match}\n${describeChild()}`)));
      });
    },
    send(line) {
      proc.stdin!.write(line + '\n');
    },
    kill(signal) {
      process.kill(proc.pid!, signal);
    },
    exited,
    describe: describeChild,
  };
}

async function expectExit(child: Child, expected: Exit) {
  const exit = await child.exited;
  expect(exit, child.describe()).toEqual(expected);
}

/** The signal a runtime is tested with: Node's SIGUSR1 belongs to its inspector. */
function signalFor(runtime: Runtime): NodeJS.Signals {
  return runtime.name === 'bun' ? 'SIGUSR1' : 'SIGUSR2';
}

describe('the JavaScript every watching process loads', () => {
  it.each(['index.cjs', 'core.cjs'])('%s is ASCII only (else V8 holds it as a two-byte string: 18 KiB more in every such process)', (file) => {
    const source = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), 'utf8');
    expect([...source.matchAll(/[^\x00-\x7f]/g)].map((match) => match.index)).toEqual([]);
  });
});

describe('in this process', () => {
  it('loads, through ESM and require', () => {
    expect(native.isAvailable()).toBe(true);
    expect(native.loadError()).toBeUndefined();
    const cjs = createRequire(import.meta.url)('@trapdoor-js/native');
    expect(cjs.isAvailable()).toBe(true);
    expect(typeof cjs.startWatcher).toBe('function');
  });

  it('rejects signals a watcher may not take, with ERR_TRAPDOOR_SIGNAL', () => {
    const control = new Int32Array(new SharedArrayBuffer(16));
    const base = { control, index: 0, bits: 1, onSignal() {} };
    for (const signal of ['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGPROF', 'SIGCHLD', 'SIGNOPE', '', '12', 'SIGUSR2; rm']) {
      expect(() => native.startWatcher({ ...base, signal }), signal).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_SIGNAL' }));
    }
    expect(() => native.startWatcher({ ...base, signal: 42 as unknown as string })).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_SIGNAL' }));
  });

  it('rejects bad options with ERR_TRAPDOOR_INVALID_ARG', () => {
    const shared = new Int32Array(new SharedArrayBuffer(16));
    const base = { signal: 'SIGUSR2', control: shared, index: 0, bits: 1, onSignal() {} };
    const bad: Record<string, unknown>[] = [
      { control: new Int32Array(4) }, // not shared
      { control: new Uint32Array(new SharedArrayBuffer(16)) },
      { control: undefined },
      { index: 4 },
      { index: -1 },
      { index: 1.5 },
      { bits: 2 ** 33 },
      { bits: '1' },
      { onSignal: 'no' },
    ];
    for (const override of bad) {
      expect(() => native.startWatcher({ ...base, ...override } as never), JSON.stringify(Object.keys(override))).toThrow(
        expect.objectContaining({ code: 'ERR_TRAPDOOR_INVALID_ARG' }),
      );
    }
    expect(() => native.startWatcher(null as never)).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_INVALID_ARG' }));
  });

  it("refuses Node's own SIGUSR1 (its inspector's handler) with ERR_TRAPDOOR_SIGNAL_IN_USE", () => {
    expect(native.signalDisposition('SIGUSR1')).toBe('other');
    expect(() =>
      native.startWatcher({ signal: 'SIGUSR1', control: new Int32Array(new SharedArrayBuffer(16)), index: 0, bits: 1, onSignal() {} }),
    ).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_SIGNAL_IN_USE' }));
  });

  it('names signals canonically', () => {
    expect(native.signalDisposition('usr2')).toBe(native.signalDisposition('SIGUSR2'));
    expect(native.codes.UNAVAILABLE).toBe('ERR_TRAPDOOR_NATIVE_UNAVAILABLE');
  });
});

describe("the runtime's state-file operations (_files: trapdoor's runtime uses them on Bun instead of node:fs)", () => {
  it('make a directory, tell it apart, write a new file only where nothing is, rename, list and remove', () => {
    const files = native._files()!;
    expect(files).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'trapdoor-native-files-'));
    try {
      const sub = join(dir, 'state');
      expect(files.fsMkdir(sub, 0o700)).toBe(0);
      expect(files.fsMkdir(sub, 0o700)).toBe(files.EEXIST);
      const info = files.fsLstat(sub);
      expect(info).toEqual([true, process.getuid!(), lstatSync(sub).mode]);
      expect(typeof files.fsLstat(join(dir, 'missing'))).toBe('number');

      const file = join(sub, 'a.json');
      expect(files.fsWriteNew(file, '{"π":1}\n', 0o600)).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe('{"π":1}\n');
      expect(lstatSync(file).mode & 0o777).toBe(0o600);
      expect(files.fsLstat(file)).toEqual([false, process.getuid!(), lstatSync(file).mode]);
      // Something there already, a symlink planted under the name too: refused, nothing followed.
      expect(files.fsWriteNew(file, 'x', 0o600)).toBe(files.EEXIST);
      const target = join(dir, 'target');
      symlinkSync(target, join(sub, 'planted.tmp'));
      expect(files.fsWriteNew(join(sub, 'planted.tmp'), 'x', 0o600)).toBe(files.EEXIST);
      expect(existsSync(target)).toBe(false);

      expect(files.fsRename(file, join(sub, 'b.json'))).toBe(0);
      expect((files.fsReadDir(sub) as string[]).sort()).toEqual(['b.json', 'planted.tmp']);
      expect(files.fsUnlink(join(sub, 'b.json'))).toBe(0);
      expect(files.fsUnlink(join(sub, 'b.json'))).not.toBe(0);
      expect(typeof files.fsReadDir(join(dir, 'missing'))).toBe('number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(runtimes)('on $name', (runtime) => {
  const signal = signalFor(runtime);

  it(`a busy loop polling the control word ends when ${signal} arrives`, async () => {
    const child = run(runtime, ['busy', signal]);
    await child.line(/^ready$/);
    child.kill(signal);
    // Index 3 of a view that starts 8 bytes in: absolute word 5 of the buffer.
    expect(await child.line(/^left the loop/)).toBe('left the loop request=1 word=1');
    await expectExit(child, { code: 0, signal: null });
  });

  it('a watcher started again after stop(), and two watchers on one thread, all work', async () => {
    const other: NodeJS.Signals = runtime.name === 'bun' ? 'SIGUSR2' : signal;
    const child = run(runtime, ['restart', other]);
    expect(await child.line(/^ready/)).toBe('ready watchers=2');
    child.kill(other);
    expect(await child.line(/^both/)).toMatch(/^both words=1,2 calls=1,1$/);
    await expectExit(child, { code: 0, signal: null });
  });

  it('loads through require() (CommonJS) too, sharing one instance', async () => {
    const child = run(runtime, [signal], requireFixture);
    expect(await child.line(/^required/)).toBe(`required available=true signal=${signal} same=true`);
    await expectExit(child, { code: 0, signal: null });
  });

  it('a watcher in a busy worker thread and one on the idle main thread both get one signal', async () => {
    const child = run(runtime, ['worker', signal]);
    expect(await child.line(/^ready/)).toBe('ready watchers=2');
    child.kill(signal);
    // The worker ends with its watcher running: the addon drops it (watchers=1 after).
    expect(await child.line(/^main onSignal/)).toBe(
      'main onSignal request=2; worker said: worker left the loop request=8 main=false; worker exit=0; watchers=1',
    );
    await expectExit(child, { code: 0, signal: null });
  });

  it('an idle process gets onSignal on its main thread', async () => {
    const child = run(runtime, ['idle', signal]);
    await child.line(/^ready$/);
    child.kill(signal);
    expect(await child.line(/^onSignal/)).toBe(`onSignal main=true request=4 signal=${signal}`);
    await expectExit(child, { code: 0, signal: null });
  });

  it('a process that loads the addon but starts no watcher exits normally', async () => {
    const child = run(runtime, ['none', signal]);
    expect(await child.line(/^loaded/)).toBe('loaded disposition=default');
    await expectExit(child, { code: 0, signal: null });
  });

  it('a running watcher does not keep the process alive', async () => {
    const child = run(runtime, ['started-then-nothing', signal]);
    expect(await child.line(/^started/)).toBe('started disposition=trapdoor');
    await expectExit(child, { code: 0, signal: null });
  });

  it('a storm of 300 signals ORs the bits and calls onSignal, without a crash', async () => {
    const child = run(runtime, ['storm', signal]);
    await child.line(/^ready$/);
    for (let i = 0; i < 300; i++) child.kill(signal);
    child.send('sent');
    const line = await child.line(/^storm/);
    const [, calls, request, deliveries] = /calls=(\d+) request=(\d+) deliveries=(\d+)/.exec(line)!.map(Number);
    expect(request).toBe(0x50);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(300);
    expect(deliveries).toBeGreaterThanOrEqual(1);
    expect(deliveries).toBeLessThanOrEqual(300);
    await expectExit(child, { code: 0, signal: null });
  });

  it('stop() puts the default disposition back: the signal then ends the process', async () => {
    const child = run(runtime, ['stop-restores', signal]);
    expect(await child.line(/^stopped/)).toBe('stopped during=trapdoor after=default');
    child.kill(signal);
    await expectExit(child, { code: null, signal });
  });

  it("an exception thrown by onSignal is reported as uncaught, on the watcher's thread", async () => {
    const child = run(runtime, ['throws', signal]);
    await child.line(/^ready$/);
    child.kill(signal);
    expect(await child.line(/^uncaught/)).toBe('uncaught boom from onSignal');
    await expectExit(child, { code: 0, signal: null });
  });

  it("a user's listener added first keeps the signal: the watcher is refused", async () => {
    const child = run(runtime, ['user-first', signal]);
    expect(await child.line(/^refused|^started/)).toBe('refused ERR_TRAPDOOR_SIGNAL_IN_USE');
    await child.line(/^ready$/);
    child.kill(signal);
    expect(await child.line(/^user listener$/)).toBe('user listener');
    await expectExit(child, { code: 0, signal: null });
  });

  it('a process.once listener added after the watcher takes one signal, then the watcher has it back', async () => {
    const child = run(runtime, ['once', signal]);
    await child.line(/^ready$/);
    child.kill(signal);
    expect(await child.line(/^once listener ran/)).toBe('once listener ran: watcher calls=0 request=0 listeners=0');
    child.kill(signal);
    expect(await child.line(/^watcher back/)).toBe('watcher back request=1');
    await expectExit(child, { code: 0, signal: null });
  });

  it("a user's listener added after the watcher wins while it is there; removing it gives the signal back", async () => {
    const child = run(runtime, ['watcher-first', signal]);
    for (const round of [1, 2]) {
      await child.line(new RegExp(`^round ${round} user listening`));
      child.kill(signal);
      child.send('sent');
      // Deno dispatches signals to JS listeners asynchronously: the previous round's delivery
      // (taken by the watcher while the loop was busy) can reach this round's listener too.
      const userCalls = runtime.name === 'deno' ? '[12]' : '1';
      expect(await child.line(new RegExp(`^round ${round} user calls`))).toMatch(
        new RegExp(`^round ${round} user calls=${userCalls} watcher calls=0 request=0$`),
      );
      await child.line(new RegExp(`^round ${round} user removed`));
      child.kill(signal);
      expect(await child.line(new RegExp(`^round ${round} watcher back`))).toBe(`round ${round} watcher back request=1`);
    }
    await expectExit(child, { code: 0, signal: null });
  });
});

describe.runIf(runtimes.some((r) => r.name === 'deno'))('Deno specifics', () => {
  const deno = runtimes.find((r) => r.name === 'deno')!;

  it('without --allow-ffi the import still works and isAvailable() is false', async () => {
    const child = run({ ...deno, args: ['run'] }, ['none', 'SIGUSR2']);
    expect(await child.line(/^unavailable/)).toMatch(/^unavailable ERR_TRAPDOOR_NATIVE_UNAVAILABLE .*--allow-ffi/);
    await expectExit(child, { code: 3, signal: null });
  });

  it('SIGUSR1 works for a watcher started at start-up on a busy Deno', async () => {
    const child = run(deno, ['busy', 'SIGUSR1']);
    await child.line(/^ready$/);
    child.kill('SIGUSR1');
    expect(await child.line(/^left the loop/)).toBe('left the loop request=1 word=1');
    await expectExit(child, { code: 0, signal: null });
  });

  it("refuses SIGUSR1 once Deno has installed its own handler (its inspector's, after the event loop ran)", async () => {
    const child = run(deno, ['after-runtime-handler', 'SIGUSR1']);
    expect(await child.line(/^refused|^started/)).toBe('refused ERR_TRAPDOOR_SIGNAL_IN_USE disposition=other');
    await expectExit(child, { code: 0, signal: null });
  });
});

