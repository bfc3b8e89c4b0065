/**
 * The signal watcher through Deno's FFI (native-ffi.ts) under real Deno, against
 * @trapdoor-js/native built here: real signals, a real busy loop. Skipped without Deno or without
 * the compiled addon. No assertion depends on wall-clock time: the child reports through stdout
 * lines and the test waits for them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const deno = `${root}node_modules/.bin/deno`;
const fixture = fileURLToPath(new URL('./fixtures/native-ffi.mjs', import.meta.url));
const exitRace = fileURLToPath(new URL('./fixtures/ffi-exit-race.mjs', import.meta.url));
const addon = `${root}packages/native/build/Release/trapdoor_native.node`;
const available = process.platform !== 'win32' && existsSync(deno) && existsSync(addon);

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

function run(mode: string, file = fixture, ...args: string[]) {
  // Only what the FFI needs: no --allow-env, --allow-run, …
  const child = spawn(deno, ['run', '--allow-ffi', '--allow-read', file, mode, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.add(child);
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: { match: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (const waiter of [...waiters]) if (waiter.match.test(line)) waiters.splice(waiters.indexOf(waiter), 1), waiter.resolve(line);
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const describeChild = () => `stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`;
  return {
    lines,
    exited,
    describe: describeChild,
    line(match: RegExp): Promise<string> {
      const seen = lines.find((l) => match.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then((e) => reject(new Error(`exited (${JSON.stringify(e)}) before a line matching ${match}\n${describeChild()}`)));
      });
    },
    send: (line: string) => child.stdin!.write(`${line}\n`),
    kill: (signal: NodeJS.Signals) => process.kill(child.pid!, signal),
  };
}

describe.skipIf(!available)('the signal watcher through Deno FFI', () => {
  it('refuses what the Node-API watcher refuses, with the same errors: bad and refused signals, a signal in use', async () => {
    const child = run('errors');
    await child.line(/^done$/);
    expect(await child.exited, child.describe()).toEqual({ code: 0, signal: null });
    const results = child.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { label: string; ffi: unknown; napi: unknown });
    expect(results.length).toBe(20);
    for (const { label, ffi, napi } of results) expect(ffi, label).toEqual(napi);
    const by = (label: string) => results.find((r) => r.label === label)!.ffi;
    expect(by('SIGKILL')).toMatchObject({ code: 'ERR_TRAPDOOR_SIGNAL', message: expect.stringContaining('cannot be caught') });
    expect(by('SIGNOPE')).toMatchObject({ code: 'ERR_TRAPDOOR_SIGNAL' });
    expect(by('')).toMatchObject({ code: 'ERR_TRAPDOOR_SIGNAL', type: 'TypeError' });
    expect(by('usr2')).toBe('started');
    expect(by('listener')).toMatchObject({ code: 'ERR_TRAPDOOR_SIGNAL_IN_USE', message: expect.stringContaining('listener') });
    expect(by('native handler')).toMatchObject({ code: 'ERR_TRAPDOOR_SIGNAL_IN_USE', message: expect.stringContaining('native handler') });
  });

  it('sets the bit from a native thread while the JS thread spins, wakes an idle one, gives way to the program\'s listener, and keeps no process alive', async () => {
    const child = run('signal');
    await child.line(/^ready$/);
    child.send('spin');
    await child.line(/^spinning$/);
    child.kill('SIGUSR2');
    await child.line(/^bit set while busy$/);
    // Back in the event loop: the wake-up of that delivery.
    expect(await child.line(/^onSignal 1 /)).toBe('onSignal 1 4');

    // The program's own listener owns the signal: it gets it, the watcher does nothing.
    child.send('listen');
    await child.line(/^listening$/);
    child.kill('SIGUSR2');
    expect(await child.line(/^listener got it/)).toBe('listener got it, bit 0');
    child.send('unlisten');
    await child.line(/^unlistened$/);
    // Taken back: the watcher's again, and the signal's default action (the end) stays away.
    child.kill('SIGUSR2');
    expect(await child.line(/^onSignal 2 /)).toBe('onSignal 2 4');
    expect(child.lines.filter((l) => l.startsWith('listener got it'))).toHaveLength(1);

    child.send('exit');
    expect(await child.exited, child.describe()).toEqual({ code: 0, signal: null });
  });

  // Deno tears its runtime down before the process exits (its control blocks freed, the addon
  // closed) but on Deno.exit: a signal then, without the exit guard (native-ffi.ts) and the pinned
  // addon (trapdoor_native.c), ended such exits in SIGSEGV or SIGABRT, 10 runs in 10 before the fix.
  it.each([
    ['its last task is done', 'return', 0],
    ['it calls Deno.exit', 'exit', 3],
    ['an error is uncaught', 'throw', 1],
  ])('a process whose watcher is signalled all the while it exits because %s exits as it would without it', async (_, how, code) => {
    for (let round = 0; round < 8; round++) {
      const child = run(how as string, exitRace, String(round % 4));
      await child.line(/^ready$/);
      // As fast as this process can send them, until the child is gone.
      let sending = true;
      const flood = (): void => {
        if (!sending) return;
        try {
          child.kill('SIGUSR2');
        } catch {
          return; // gone
        }
        setImmediate(flood);
      };
      flood();
      const exited = await child.exited;
      sending = false;
      expect(exited, child.describe()).toEqual({ code, signal: null });
      expect(child.describe()).not.toMatch(/panic|corrupted|Segmentation/i);
    }
  });
});
