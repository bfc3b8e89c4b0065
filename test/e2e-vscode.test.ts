/**
 * End to end with VS Code's own debugger: microsoft/vscode-js-debug's DAP server (built by
 * scripts/js-debug.mjs; js-debug is not on npm), spoken to over TCP the way VS Code does it.
 * `trapdoor run` starts a busy program on Node, Bun or Deno, `trapdoor attach --json` starts its
 * debugger from outside, and js-debug attaches with `{ type: 'pwa-node', request: 'attach', port }`:
 * a top-level session, then the target's own session opened on js-debug's `startDebugging`
 * request. On that session: pause, the call stack, scopes and variables, evaluation, Set Value,
 * and continue after an assignment that ends the loop. Nothing here asserts on wall-clock time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, trackProcesses, within } from './e2e/harness.js';
import { attachVsCode, jsDebugBuilt, jsDebugMissing, jsDebugServerPath, startDapServer, type Attached, type DapServer } from './vscode/js-debug.js';
import { children, evaluate, pauseAndLook, shown } from './vscode/paused.js';

const BIN = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const programs = fileURLToPath(new URL('./vscode/programs/', import.meta.url));
type RuntimeName = 'node' | 'bun' | 'deno';

if (!jsDebugBuilt) console.warn(`test/e2e-vscode.test.ts skipped: ${jsDebugMissing}`);

/** 1-based line and column of `text` in a program, as DAP counts (linesStartAt1, columnsStartAt1). */
function position(program: string, text: string): { line: number; column: number } {
  const lines = readFileSync(program, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`${program} has no line with ${JSON.stringify(text)}`);
  return { line: line + 1, column: lines[line].indexOf(text) + 1 };
}

interface Running {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  describe(): string;
}

const tracked = trackProcesses();
let server: DapServer | undefined;

beforeAll(async () => {
  if (jsDebugBuilt) server = await startDapServer();
});
afterAll(() => server?.stop());

/** A js-debug session, closed after the test before its processes are killed (its close is synchronous). */
function trackSession(session: Attached): void {
  tracked.client({ close: async () => session.close() });
}

/** `trapdoor run --runtime <runtime> --port 0 <program>`, resolved once it printed `spinning`. */
async function run(runtime: RuntimeName, program: string): Promise<Running> {
  const proc = spawn(process.execPath, [BIN, 'run', '--runtime', runtime, '--port', '0', program], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  tracked.track(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const describe = (): string => `${runtime} ${program}\n--- stdout\n${out}\n--- stderr\n${err}`;
  await within(
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (out.includes('spinning\n')) resolve();
      };
      proc.stdout!.on('data', check);
      void exited.then(() => reject(new Error(`exited before spinning\n${describe()}`)));
    }),
    `${runtime} to print spinning`,
    describe,
  );
  return { proc, stdout: () => out, stderr: () => err, exited, describe };
}

/** `trapdoor attach --json <pid>` (the real CLI): the port js-debug is given. */
async function attachPort(running: Running): Promise<number> {
  const attach = spawn(process.execPath, [BIN, 'attach', '--json', String(running.proc.pid)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  attach.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  attach.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await within(new Promise<number | null>((resolve) => attach.on('close', resolve)), 'trapdoor attach', running.describe);
  expect({ code, stderr }, running.describe()).toEqual({ code: 0, stderr: '' });
  return JSON.parse(stdout).port;
}

async function attach(running: Running): Promise<Attached> {
  const session = await attachVsCode(server!.port, await attachPort(running));
  trackSession(session);
  return session;
}

/** What the program printed to stderr is only the debugger's own notices, as with Node's inspector. */
function expectOnlyDebuggerNotices(running: Running): void {
  const lines = running.stderr().split('\n').filter(Boolean);
  const notices = /^(Debugger listening on ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}|For help, see: .*|Debugger attached\.|Debugger ending on ws:\/\/.*|Waiting for the debugger to disconnect\.\.\.)$/;
  expect(lines.filter((line) => !notices.test(line)), running.describe()).toEqual([]);
}

/** Continue after the loop was ended: the program finishes as it would have, its own output, status 0. */
async function endLoop(session: Attached, running: Running, threadId: number, expected: string): Promise<void> {
  const client = session.child;
  const since = client.mark();
  await client.request('continue', { threadId });
  await client.next('continued', since);
  expect(await within(running.exited, 'the program to exit', () => `${running.describe()}\n${client.describe()}`)).toBe(0);
  expect(running.stdout()).toBe(expected);
  expectOnlyDebuggerNotices(running);
  // js-debug notices the target is gone and ends the session, as VS Code would show.
  await client.next('terminated', since);
}

describe.skipIf(!jsDebugBuilt)(`VS Code js-debug (${jsDebugServerPath}) attached over DAP`, () => {
  const program = join(programs, 'spin.mjs');
  const loop = position(program, 'while (found === null)');
  const call = position(program, 'spin(settings.limit)');

  it.each(['node', 'bun', 'deno'] as const)('%s: pause a busy loop, stack, variables, evaluate, set value, end the loop, continue', async (runtime) => {
    const running = await run(runtime, program);
    const session = await attach(running);
    const client = session.child;
    expect(session.childConfiguration).toMatchObject({ type: 'pwa-node', __pendingTargetId: expect.any(String) });

    const paused = await pauseAndLook(client);
    expect(paused.stopped).toMatchObject({ reason: 'pause' });

    // Call stack: the loop's exact line and column in the program's own file, then its caller.
    expect(paused.frames[0], client.describe()).toMatchObject({ name: 'spin', line: loop.line, column: loop.column, source: { path: program } });
    expect(paused.frames[1]).toMatchObject({ line: call.line, column: call.column, source: { path: program } });
    expect(paused.frames).toHaveLength(2); // trapdoor's own frames are hidden

    // Variables view: the function's locals with their values.
    expect(paused.scopes[0]).toMatchObject({ name: 'Local: spin', presentationHint: 'locals' });
    const locals = shown(paused.locals);
    expect(locals).toMatchObject({ found: 'null', limit: '1000', seen: "(2) [1000, 'spin']" });
    const attempts = Number(locals.attempts);
    expect(attempts).toBeGreaterThan(0);
    expect(paused.locals.find((v) => v.name === 'attempts')).toMatchObject({ type: 'number', evaluateName: 'attempts' });
    const seen = paused.locals.find((v) => v.name === 'seen')!;
    expect(shown(await children(client, seen))).toMatchObject({ 0: '1000', 1: "'spin'", length: '2' });

    // Debug Console, Watch and hover evaluate on the paused frame, over its locals.
    const frameId = paused.frames[0].id;
    expect(await evaluate(client, frameId, 'attempts + limit')).toMatchObject({ result: String(attempts + 1000), type: 'number' });
    expect(await evaluate(client, frameId, 'seen.length * limit', 'watch')).toMatchObject({ result: '2000' });
    expect(await evaluate(client, frameId, 'limit', 'hover')).toMatchObject({ result: '1000' });
    await expect(evaluate(client, frameId, 'noSuchName')).rejects.toThrow(/ReferenceError.*noSuchName is not defined/);

    // Set Value in the Variables view writes the local back: the program sees it.
    const scope = paused.scopes[0].variablesReference;
    expect(await client.request('setVariable', { variablesReference: scope, name: 'limit', value: '7' })).toMatchObject({ value: '7' });
    expect(await evaluate(client, frameId, 'limit * 2')).toMatchObject({ result: '14' });

    // An assignment in the Debug Console ends the loop; continue lets the program finish.
    expect(await evaluate(client, frameId, 'found = attempts')).toMatchObject({ result: String(attempts) });
    await endLoop(session, running, paused.threadId, 'spinning\nfound a positive number\n');
  });

  it.each(['node', 'bun', 'deno'] as const)('%s: Disconnect while paused lets it run on; VS Code attaches again and ends the loop', async (runtime) => {
    const running = await run(runtime, program);
    const port = await attachPort(running);
    const first = await attachVsCode(server!.port, port);
    trackSession(first);
    const before = Number(shown((await pauseAndLook(first.child)).locals).attempts);

    // VS Code's Disconnect on an attach session: the debugger leaves, the program is not killed.
    await first.disconnect();

    const second = await attachVsCode(server!.port, port);
    trackSession(second);
    const paused = await pauseAndLook(second.child);
    const after = Number(shown(paused.locals).attempts);
    expect(after, running.describe()).toBeGreaterThan(before); // it ran on between the two sessions
    expect(paused.frames[0]).toMatchObject({ name: 'spin', line: loop.line, source: { path: program } });
    await evaluate(second.child, paused.frames[0].id, 'found = attempts');
    await endLoop(second, running, paused.threadId, 'spinning\nfound a positive number\n');
  });

  const ticks = join(programs, 'ticks.mjs');
  const entry = position(ticks, 'function tick(n) {');
  const callSite = position(ticks, 'tick(i)');
  const forLoop = position(ticks, 'for (let i = 0; !stop; i++)');

  it.each(['node', 'bun', 'deno'] as const)('%s: a breakpoint set while it runs stops there, Step Over, breakpoint removed, continue', async (runtime) => {
    const running = await run(runtime, ticks);
    const session = await attach(running);
    const client = session.child;

    // Clicking in the gutter on the function's line while the program runs.
    const since = client.mark();
    const set = await client.request('setBreakpoints', { source: { path: ticks, name: 'ticks.mjs' }, breakpoints: [{ line: entry.line }], sourceModified: false });
    expect(set.breakpoints, client.describe()).toMatchObject([{ verified: true, line: entry.line, source: { path: ticks } }]);
    const hit = await client.next('stopped', since);
    expect(hit).toMatchObject({ reason: 'breakpoint', hitBreakpointIds: [set.breakpoints[0].id] });
    const { stackFrames } = await client.request('stackTrace', { threadId: hit.threadId, startFrame: 0, levels: 20 });
    expect(stackFrames[0]).toMatchObject({ name: 'tick', line: entry.line, column: entry.column, source: { path: ticks } });
    expect(stackFrames[1]).toMatchObject({ name: 'run', line: callSite.line, column: callSite.column, source: { path: ticks } });
    const { scopes } = await client.request('scopes', { frameId: stackFrames[0].id });
    const { variables } = await client.request('variables', { variablesReference: scopes[0].variablesReference });
    expect(Number(shown(variables).n)).toBeGreaterThanOrEqual(0);

    // Step Over leaves tick and stops at the next check in its caller: the loop.
    const stepped = client.mark();
    await client.request('next', { threadId: hit.threadId });
    const step = await client.next('stopped', stepped);
    expect(step).toMatchObject({ reason: 'step' });
    const after = await client.request('stackTrace', { threadId: step.threadId, startFrame: 0, levels: 20 });
    expect(after.stackFrames[0]).toMatchObject({ name: 'run', line: forLoop.line, column: forLoop.column });
    const runLocals = shown((await client.request('variables', { variablesReference: (await client.request('scopes', { frameId: after.stackFrames[0].id })).scopes[0].variablesReference })).variables);
    expect(runLocals).toMatchObject({ stop: 'false' });

    // Remove the breakpoint (the gutter click again), end the loop, continue.
    expect(await client.request('setBreakpoints', { source: { path: ticks, name: 'ticks.mjs' }, breakpoints: [], sourceModified: false })).toMatchObject({ breakpoints: [] });
    expect(await evaluate(client, after.stackFrames[0].id, 'stop = true')).toMatchObject({ result: 'true' });
    await endLoop(session, running, step.threadId, 'spinning\ntotal positive\n');
  });

  it('bun: a TypeScript program, run as is: the stack and locals are in the .ts file', async () => {
    const ts = join(programs, 'spin.ts');
    const tsLoop = position(ts, 'while (found === null)');
    const tsCall = position(ts, 'spin(settings.limit)');
    const running = await run('bun', ts);
    const session = await attach(running);
    const client = session.child;

    const paused = await pauseAndLook(client);
    expect(paused.frames[0], client.describe()).toMatchObject({ name: 'spin', line: tsLoop.line, column: tsLoop.column, source: { path: ts } });
    expect(paused.frames[1]).toMatchObject({ line: tsCall.line, column: tsCall.column, source: { path: ts } });
    const locals = shown(paused.locals);
    expect(locals).toMatchObject({ found: 'null', limit: '1000' });
    const attempts = Number(locals.attempts);
    expect(attempts).toBeGreaterThan(0);

    const frameId = paused.frames[0].id;
    expect(await evaluate(client, frameId, 'attempts - limit')).toMatchObject({ result: String(attempts - 1000) });
    expect(await evaluate(client, frameId, 'found = attempts')).toMatchObject({ result: String(attempts) });
    await endLoop(session, running, paused.threadId, 'spinning\nfound a positive number\n');
  });
});
