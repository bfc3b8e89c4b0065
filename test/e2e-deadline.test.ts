/**
 * End to end: the per-test deadline (@trapdoor-js/runtime/deadline) in real processes on Node,
 * Bun and Deno. The programs (test/deadline) run through `trapdoor run`, so they are instrumented
 * as a user's are; each arms a deadline and gets stuck: in `while (true) {}` after warm-up, in a
 * busy wait on `Date.now()`, in a loop inside an `Array.prototype.some` callback, in TypeScript.
 * Asserted: the StuckError names the stuck loop's original file:line:column and its locals, the
 * stack's top frames are original positions without trapdoor's frames, the program catches it
 * and ends by itself with status 0; code that catches it and spins on is stopped again; code
 * after disarm (or a disarm before the deadline) never sees it; 20 000 arm/disarm cycles; a worker
 * thread with its own deadline; no deadline fires while a debugger client is attached.
 * No durations are asserted: the deadlines are set, the outcomes checked.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import CDP from 'chrome-remote-interface';
import { afterAll, describe, expect, it } from 'vitest';
import { instrument } from '@trapdoor-js/transform';
import { DENO_FLAGS, position, repoRoot, runtimes, TRAPDOOR_BIN as BIN, trackProcesses, watch, within, type RuntimeSpec } from './e2e/harness.js';

const DIR = join(repoRoot, 'test', 'deadline');
const JS = join(DIR, 'spin.mjs');
const TS = join(DIR, 'spin.ts');
const SPINNER = join(DIR, 'spinner.ts');

interface Result {
  what: string;
  code?: string;
  message?: string;
  stack?: string;
  location?: { file: string; line: number; column: number; functionName: string };
  locals?: Record<string, unknown>;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  results: Result[];
  describe(): string;
}

const tracked = trackProcesses();

function env(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.NODE_OPTIONS;
  return env;
}

function start(command: string, args: string[], cwd: string) {
  const proc = tracked.spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: env() });
  const watched = watch(proc, `${command} ${args.join(' ')} (in ${cwd})`);
  const ended = within(
    watched.closed.then(({ code }): Ran => {
      tracked.forget(proc);
      const stdout = watched.stdout();
      const results = stdout
        .split('\n')
        .filter((line) => line.startsWith('RESULT '))
        .map((line) => JSON.parse(line.slice('RESULT '.length)) as Result);
      return { code, stdout, stderr: watched.stderr(), results, describe: watched.describe };
    }),
    'the program to end by itself',
    watched.describe,
  );
  return { proc, ...watched, ended };
}

/** `trapdoor run --runtime <name> <file> <scenario>` from the fixtures' folder. */
function trapdoorRun(runtime: RuntimeSpec['name'], file: string, ...args: string[]) {
  return start(process.execPath, [BIN, 'run', '--runtime', runtime, '--port', '0', file, ...args], DIR);
}

function only(ran: Ran, what: string): Result {
  const found = ran.results.filter((r) => r.what === what);
  expect(found, ran.describe()).toHaveLength(1);
  return found[0]!;
}

function frameLines(result: Result): string[] {
  return result.stack!.split('\n').filter((line) => line.startsWith('    at '));
}

/**
 * The stack's frames as `name @ path:line:column` (`name @ built-in` for a built-in's): the
 * engines write ES module frames by path or by file: URL, and name methods with or without their
 * class ("Spinner.spin"); what is asserted is the position and the function's own name.
 */
function frames(result: Result): string[] {
  return frameLines(result).map((text) => {
    const body = text.replace(/^ {4}at /, '');
    const named = /^(.*?) \((.*)\)$/.exec(body);
    const name = (named?.[1] ?? '').replace(/^(?:async |new )/, '').replace(/^.*\./, '').replace(/^<anonymous>$/, '');
    const where = named?.[2] ?? body;
    const position = /^(.*):(\d+):(\d+)$/.exec(where);
    if (position === null || position[1] === 'native') return `${name} @ built-in`;
    const file = position[1]!.startsWith('file:') ? fileURLToPath(position[1]!) : position[1]!;
    return `${name} @ ${file}:${position[2]}:${position[3]}`;
  });
}

const at = (name: string, file: string, where: { line: number; column: number }): string => `${name} @ ${file}:${where.line}:${where.column}`;

/** What every program that caught its error shows: ended by itself, status 0, 'done' printed last. */
function endedNormally(ran: Ran): void {
  expect(ran.code, ran.describe()).toBe(0);
  expect(ran.stdout.trimEnd().split('\n').at(-1), ran.describe()).toBe('done');
}

describe.each(runtimes.map((r) => r.name))('on %s', (runtime) => {
  it('stops `while (true) {}` after warm-up at the loop, with its locals and the callers in original positions', async () => {
    const ran = await trapdoorRun(runtime, 'spin.mjs', 'while').ended;
    endedNormally(ran);
    const result = only(ran, 'while');
    const loop = position(JS, 'while (true)');
    const caller = position(JS, 'spinForever(10)');
    expect(result.code).toBe('ERR_TRAPDOOR_STUCK');
    expect(result.message!.split('\n')).toEqual([
      'Test timed out in 300ms.',
      `trapdoor: stuck in a synchronous loop at spin.mjs:${loop.line}:${loop.column} (in spinForever)`,
      expect.stringMatching(/^ {2}locals: limit = 10, count = \d+$/),
    ]);
    expect(result.location).toEqual({ file: JS, line: loop.line, column: loop.column, functionName: 'spinForever' });
    expect(result.locals).toMatchObject({ limit: 10, count: expect.any(Number) });
    const stack = frames(result);
    expect(stack[0]).toBe(at('spinForever', JS, loop));
    // JavaScriptCore has no frame for a caller that tail-called (`() => spinForever(10)` in an ES module): the one below it.
    expect(stack[1]).toBe(runtime === 'bun' ? at('attempt', JS, position(JS, 'run();')) : at('', JS, caller));
    expect(result.stack).not.toMatch(/packages[\\/]runtime|@trapdoor-js/);
  });

  it('stops a busy wait on Date.now()', async () => {
    const ran = await trapdoorRun(runtime, 'spin.mjs', 'date').ended;
    endedNormally(ran);
    const result = only(ran, 'date');
    const loop = position(JS, 'while (Date.now() < end)');
    expect(result.message!.split('\n')[1]).toBe(`trapdoor: stuck in a synchronous loop at spin.mjs:${loop.line}:${loop.column} (in busyWait)`);
    expect(result.locals).toMatchObject({ ms: 1e9, end: expect.any(Number) });
    expect(frames(result)[0]).toBe(at('busyWait', JS, loop));
  });

  it('stops a loop inside an Array.prototype.some callback, the native frame between', async () => {
    const ran = await trapdoorRun(runtime, 'spin.mjs', 'some').ended;
    endedNormally(ran);
    const result = only(ran, 'some');
    const loop = position(JS, 'while (turns > 0)');
    const call = position(JS, 'items.some(');
    expect(result.message!.split('\n').slice(1)).toEqual([
      `trapdoor: stuck in a synchronous loop at spin.mjs:${loop.line}:${loop.column}`,
      expect.stringMatching(/^ {2}locals: item = 1, turns = \d+$/),
    ]);
    const stack = frames(result);
    expect(stack.slice(0, 2)).toEqual([at('', JS, loop), 'some @ built-in']);
    // JavaScriptCore has no frame for someForever, which tail-calls `some` (`return items.some(…)`): the one below it.
    if (runtime === 'bun') expect(stack[2]).toBe(at('attempt', JS, position(JS, 'run();')));
    else expect(stack[2]).toMatch(new RegExp(`^someForever @ ${JS}:${call.line}:\\d+$`));
  });

  it('stops code that catches the error and spins on, again each time; after disarm nothing fires', async () => {
    const ran = await trapdoorRun(runtime, 'spin.mjs', 'catch-and-spin').ended;
    endedNormally(ran);
    expect(ran.results.map((r) => r.what)).toEqual(['stopped 3 times', 'after disarm: returned']);
  });

  it('never throws when disarmed before the deadline, though the program then stays busy past it', async () => {
    const ran = await trapdoorRun(runtime, 'spin.mjs', 'disarm').ended;
    endedNormally(ran);
    expect(ran.results.map((r) => r.what)).toEqual(['before the deadline: returned', 'after disarm: returned']);
  });

  it('arms and disarms 20 000 times without an error, then still stops a spin', async () => {
    const ran = await trapdoorRun(runtime, 'spin.mjs', 'cycles').ended;
    endedNormally(ran);
    expect(ran.results[0]!.what).toBe('cycles threw 0');
    expect(only(ran, 'last')).toMatchObject({ code: 'ERR_TRAPDOOR_STUCK', locals: { limit: 20000 } });
  });

  it('lets an error it does not catch end the program as an uncaught error, stack in original positions', async () => {
    const ran = await trapdoorRun(runtime, 'spin.mjs', 'uncaught').ended;
    const loop = position(JS, 'while (true)');
    expect(ran.code, ran.describe()).not.toBe(0);
    expect(ran.stderr).toContain('StuckError: Test timed out in 300ms.');
    expect(ran.stderr).toContain(`trapdoor: stuck in a synchronous loop at spin.mjs:${loop.line}:${loop.column} (in spinForever)`);
    expect(ran.stderr).toContain(`spin.mjs:${position(JS, 'spinForever(3)').line}:`);
  });

  it('names the TypeScript file at its own line and column, and its callers in the other module', async () => {
    const ran = await trapdoorRun(runtime, 'spin.ts').ended;
    endedNormally(ran);
    const result = only(ran, 'ts');
    const loop = position(SPINNER, 'while (step > 0)');
    expect(result.message!.split('\n').slice(1)).toEqual([
      `trapdoor: stuck in a synchronous loop at spinner.ts:${loop.line}:${loop.column} (in spin)`,
      expect.stringMatching(/^ {2}locals: counter = \{ total: \d+ \}, step = \d+$/),
    ]);
    expect(result.location).toEqual({ file: SPINNER, line: loop.line, column: loop.column, functionName: 'spin' });
    const stack = frames(result);
    expect(stack[0]).toBe(at('spin', SPINNER, loop));
    const inner = position(TS, 'spinner.spin(');
    const call = position(TS, 'run(Mode.Count)');
    // JavaScriptCore drops the frame of `run`, which tail-calls (`return spinner.spin(…)`).
    if (runtime === 'bun') expect(stack[1]).toBe(at('', TS, call));
    else expect(stack.slice(1, 3)).toEqual([at('run', TS, { line: inner.line, column: inner.column + 'spinner.'.length }), at('', TS, call)]);
  });
});

describe('a bundle', () => {
  const out = join(repoRoot, 'test', '.tmp', 'deadline-bundle');
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('esbuild with trapdoor-js/esbuild: the TypeScript positions of two modules through the bundle\'s own map, callers too', async () => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const esbuild = await import('esbuild');
    const plugin = (await import('trapdoor-js/esbuild')).default;
    const outfile = join(out, 'spin.bundle.mjs');
    await esbuild.build({ entryPoints: [TS], bundle: true, platform: 'node', format: 'esm', outfile, sourcemap: true, logLevel: 'silent', absWorkingDir: DIR, plugins: [plugin()] });
    const ran = await start(process.execPath, [outfile], DIR).ended;
    endedNormally(ran);
    const result = only(ran, 'ts');
    const loop = position(SPINNER, 'while (step > 0)');
    const inner = position(TS, 'spinner.spin(');
    const call = position(TS, 'run(Mode.Count)');
    expect(result.location).toEqual({ file: SPINNER, line: loop.line, column: loop.column, functionName: 'spin' });
    expect(frames(result).slice(0, 3)).toEqual([at('spin', SPINNER, loop), at('run', TS, { line: inner.line, column: inner.column + 'spinner.'.length }), at('', TS, call)]);
  });
});

describe('worker threads', () => {
  const out = join(repoRoot, 'test', '.tmp', 'deadline');
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('Node, through trapdoor run: a worker thread has its own deadline, while the main thread gets its own', async () => {
    const ran = await trapdoorRun('node', 'spin.mjs', 'worker').ended;
    checkWorker(ran);
  });

  // Bun's preload and Deno's loader do not instrument a worker's modules (the loaders', not the
  // deadline's, limit): the program is instrumented beforehand, as a build would.
  it.each(['node', 'bun', 'deno'] as const)('%s, instrumented beforehand: the same', async (name) => {
    mkdirSync(out, { recursive: true });
    const file = join(out, 'spin.mjs');
    writeFileSync(file, instrument(readFileSync(JS, 'utf8'), { filename: JS, moduleType: 'esm' }).code);
    writeFileSync(join(out, 'package.json'), readFileSync(join(DIR, 'package.json')));
    const runtime = runtimes.find((r) => r.name === name)!;
    const args = name === 'deno' ? ['run', ...DENO_FLAGS] : [];
    const ran = await start(runtime.command, [...args, file, 'worker'], out).ended;
    checkWorker(ran);
  });

  function checkWorker(ran: Ran): void {
    endedNormally(ran);
    const main = only(ran, 'main');
    const worker = only(ran, 'worker: spin');
    const spin = position(JS, 'while (true)');
    const wait = position(JS, 'while (Date.now() < end)');
    expect(main.message!.split('\n')[0]).toBe('main thread timed out');
    expect(main.message!.split('\n')[1]).toMatch(new RegExp(`^trapdoor: stuck in a synchronous loop at \\S*spin\\.mjs:${spin.line}:${spin.column} \\(in spinForever\\)$`));
    expect(main.location).toMatchObject({ file: JS, line: spin.line, column: spin.column });
    expect(worker.message!.split('\n')[0]).toBe('worker timed out');
    expect(worker.location).toMatchObject({ file: JS, line: wait.line, column: wait.column, functionName: 'busyWait' });
  }
});

describe.each(runtimes.map((r) => r.name))('with a debugger attached, on %s', (runtime) => {
  it('postpones the deadline while a client is attached (paused or running), and fires once it left', async () => {
    const running = trapdoorRun(runtime, 'spin.mjs', 'attached');
    await running.line(/^waiting$/);
    const attach = start(process.execPath, [BIN, 'attach', '--json', String(running.proc.pid)], DIR);
    const attached = await attach.ended;
    expect(attached.code, attached.describe()).toBe(0);
    const client = tracked.client(await CDP({ target: JSON.parse(attached.stdout).wsUrl, local: true }));
    await client.Runtime.enable();
    await client.Debugger.enable();
    running.proc.stdin!.write('go\n');
    await running.line(/^spinning$/);
    // Paused past the deadline, and resumed: the program is not stopped under the developer.
    const paused = new Promise((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    await paused;
    await client.Debugger.resume();
    await running.line(/^detach now$/);
    await tracked.close(client);
    await within(
      new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (running.stderr().includes('Debugger ending on')) resolve(clearInterval(check));
        }, 20);
      }),
      'the program to see the client leave',
      running.describe,
    );
    running.proc.stdin!.write('go\n');
    const ran = await running.ended;
    endedNormally(ran);
    expect(ran.results.map((r) => r.what)).toEqual(['while attached: returned', 'after detach']);
    expect(only(ran, 'after detach').message!.split('\n')[0]).toBe('detached timed out');
  });
});
