/**
 * The deadline in-process, with the real watcher thread and a check written as the transform
 * writes it (a hand-made module table: the end-to-end tests, test/e2e-deadline.test.ts, run
 * instrumented programs). No durations are asserted: the deadlines are set, the outcomes checked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { armDeadline, BAD_DEADLINE_CODE, deadlineWatcherKind, disarmDeadline, isDeadlineArmed, StuckError, STUCK_ERROR_CODE } from './deadline.js';
import { controlBlock, Request, Word } from './control-block.js';
import { trap } from './trap.js';
import type { ModuleTableV1 } from './modules.js';
import { runtimes } from './inspector/agent/fixtures/harness.mjs';

// Site 0: the loop of `spin` at line 12, column 4 (0-based) of spin.ts, with locals i and limit.
function __td_M(): ModuleTableV1 {
  return { v: 1, file: '/virtual/spin.ts', sources: ['/virtual/spin.ts'], sites: [[0, 12, 4, 'spin', 'i,limit', '11', 0]], shifts: [] };
}

/** Counts until `ms` have passed (forever by default), passing the check on every iteration. */
function spin(limit: number, ms = Infinity): number {
  let i = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (controlBlock[Word.REQUEST] !== 0) trap(__td_M, 0, [i, limit]);
    i++;
  }
  return i;
}

// The same loop in a table of today's transform: the check passes the locals as arguments
// (SiteFlag.ARGS) and throws what the trap returns (SiteFlag.THROWS).
function __td2_M(): ModuleTableV1 {
  return { v: 1, file: '/virtual/spin2.ts', sources: ['/virtual/spin2.ts'], sites: [[0, 7, 2, 'spin2', 'i,limit', '11', 0, 9, 3, 4 | 8]], shifts: [] };
}

// An arrow's expression-body check (site 0: ARGS only) called from a loop with a statement check (site 1).
function __td3_M(): ModuleTableV1 {
  return { v: 1, file: '/virtual/spin3.ts', sources: ['/virtual/spin3.ts'], sites: [[1, 3, 14, 'step', 'n', '1', 0, 3, 30, 4], [0, 5, 2, 'spin3', 'i', '1', 0, 7, 3, 4 | 8]], shifts: [] };
}
const step = (n: number): number => (controlBlock[Word.REQUEST] !== 0 && trap(__td3_M, 0, n), n + 1);
function spin3(arrowsOnly: boolean): never {
  let i = 0;
  let W: unknown;
  for (;;) {
    i = step(step(i));
    if (arrowsOnly) continue;
    if (controlBlock[Word.REQUEST] !== 0 && (W = trap(__td3_M, 1, i)) !== void 0) if ((W as unknown[]).length) ({ 0: i } = W as number[]); else throw (returned.push(W), W);
  }
}

/** `spin` with the check's statement form (emit.ts): what the trap returned, kept for the test. */
const returned: unknown[] = [];
function spin2(limit: number): number {
  let i = 0;
  let W: unknown;
  for (;;) {
    if (controlBlock[Word.REQUEST] !== 0 && (W = trap(__td2_M, 0, i, limit)) !== void 0) if ((W as unknown[]).length) ({ 0: i, 1: limit } = W as number[]); else throw (returned.push(W), W);
    i++;
  }
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

afterEach(() => disarmDeadline());

describe('armDeadline', () => {
  it('stops a spinning loop at its next check with a StuckError naming the site, its locals and the stack', () => {
    armDeadline(100, { message: 'Test timed out in 100ms.' });
    const error = caught(() => spin(10)) as StuckError;
    expect(error).toBeInstanceOf(StuckError);
    expect(error.code).toBe(STUCK_ERROR_CODE);
    expect(error.name).toBe('StuckError');
    expect(error.location).toEqual({ file: '/virtual/spin.ts', line: 12, column: 5, functionName: 'spin' });
    expect(error.locals.limit).toBe(10);
    expect(error.locals.i).toBeGreaterThan(0);
    const [first, second, third] = error.message.split('\n');
    expect(first).toBe('Test timed out in 100ms.');
    expect(second).toBe('trapdoor: stuck in a synchronous loop at /virtual/spin.ts:12:5 (in spin)');
    expect(third).toMatch(/^ {2}locals: i = \d+, limit = 10$/);
    const stack = error.stack!.split('\n');
    expect(stack.slice(0, 4)).toEqual(['StuckError: Test timed out in 100ms.', second, third, '    at spin (/virtual/spin.ts:12:5)']);
    // (The frames below are Vitest's: this file is inside the runtime's package, whose frames are left out.)
    expect(error.stack).not.toMatch(/[\\/](trap|deadline|stuck-error)\.ts:/);
    expect(error.frames[0]).toEqual(error.location);
  });

  it('returns the StuckError to a check that throws it itself, with the locals it passed as arguments', () => {
    armDeadline(100, { message: 'Test timed out in 100ms.' });
    returned.length = 0;
    const error = caught(() => spin2(7)) as StuckError;
    expect(error).toBeInstanceOf(StuckError);
    // Thrown by the check, not by the trap: the trap returned it.
    expect(returned).toEqual([error]);
    expect(error.location).toEqual({ file: '/virtual/spin2.ts', line: 7, column: 3, functionName: 'spin2' });
    expect(error.locals.limit).toBe(7);
    expect(error.locals.i).toBeGreaterThan(0);
    expect(Object.keys(error.locals)).toEqual(['i', 'limit']);
    expect(error.message.split('\n')[1]).toBe('trapdoor: stuck in a synchronous loop at /virtual/spin2.ts:7:3 (in spin2)');
  });

  it('leaves a passed deadline at an expression check to the next statement check, which throws it in its own frame', () => {
    armDeadline(100);
    returned.length = 0;
    const error = caught(() => spin3(false)) as StuckError;
    expect(returned).toEqual([error]);
    expect(error.location).toMatchObject({ line: 5, column: 3, functionName: 'spin3' });
  });

  it('throws from the trap when only expression checks keep coming', () => {
    armDeadline(100);
    returned.length = 0;
    const error = caught(() => spin3(true)) as StuckError;
    expect(error.code).toBe(STUCK_ERROR_CODE);
    expect(returned).toEqual([]);
    expect(error.location).toMatchObject({ line: 3, column: 15, functionName: 'step' });
  });

  it('leaves the REQUEST word at 0 until the deadline passes (checks keep their fast path)', () => {
    armDeadline(60_000);
    spin(1, 50);
    expect(controlBlock[Word.REQUEST] & Request.DEADLINE).toBe(0);
    expect(isDeadlineArmed()).toBe(true);
    disarmDeadline();
    expect(isDeadlineArmed()).toBe(false);
  });

  it('never throws once disarmed before the deadline, however long the code then runs', () => {
    armDeadline(60_000);
    spin(1, 1);
    disarmDeadline();
    armDeadline(100);
    disarmDeadline();
    expect(caught(() => spin(1, 400))).toBeUndefined();
  });

  it('stops code that catches the error and spins on again, after the grace period; after disarm nothing fires', () => {
    armDeadline(50, { graceMs: 30 });
    const errors: unknown[] = [];
    for (let round = 0; round < 3; round++) errors.push(caught(() => spin(round)));
    expect(errors.map((e) => (e as StuckError).code)).toEqual([STUCK_ERROR_CODE, STUCK_ERROR_CODE, STUCK_ERROR_CODE]);
    expect(errors.map((e) => (e as StuckError).locals.limit)).toEqual([0, 1, 2]);
    disarmDeadline();
    expect(caught(() => spin(1, 300))).toBeUndefined();
  });

  it('lets code that catches the error and returns run normally within the grace period', () => {
    armDeadline(50, { graceMs: 60_000 });
    expect(caught(() => spin(1))).toBeInstanceOf(StuckError);
    expect(caught(() => spin(1, 200))).toBeUndefined(); // cleanup that runs its checks
    disarmDeadline();
  });

  it('replaces the armed deadline when armed again (the later one counts)', () => {
    armDeadline(50);
    armDeadline(60_000);
    expect(caught(() => spin(1, 300))).toBeUndefined();
    armDeadline(50, { message: 'second' });
    expect((caught(() => spin(1)) as Error).message.split('\n')[0]).toBe('second');
  });

  it('ignores a DEADLINE bit of a generation that is no longer armed, and clears it', () => {
    armDeadline(60_000);
    Atomics.store(controlBlock, Word.DEADLINE_FIRED, Atomics.load(controlBlock, Word.DEADLINE_SEQ) - 1);
    Atomics.or(controlBlock, Word.REQUEST, Request.DEADLINE);
    expect(caught(() => spin(1, 20))).toBeUndefined();
    expect(controlBlock[Word.REQUEST] & Request.DEADLINE).toBe(0);
  });

  it('arms and disarms thousands of times without a stray error, then still fires', () => {
    for (let n = 0; n < 20_000; n++) {
      armDeadline(60_000);
      spin(n, 0);
      disarmDeadline();
    }
    expect(controlBlock[Word.REQUEST]).toBe(0);
    armDeadline(50);
    expect(caught(() => spin(1))).toBeInstanceOf(StuckError);
  });

  it('reads 0 and Infinity as no deadline, and rejects anything else that is not a positive number', () => {
    armDeadline(60_000);
    armDeadline(0);
    expect(isDeadlineArmed()).toBe(false);
    armDeadline(Infinity);
    expect(isDeadlineArmed()).toBe(false);
    for (const bad of [-1, NaN, '100', undefined]) {
      expect(caught(() => armDeadline(bad as number))).toMatchObject({ name: 'TypeError', code: BAD_DEADLINE_CODE });
    }
    expect(caught(() => armDeadline(100, { graceMs: 0 }))).toMatchObject({ code: BAD_DEADLINE_CODE, message: expect.stringContaining('graceMs') });
    expect(caught(() => armDeadline(100, { message: 5 as never }))).toMatchObject({ code: BAD_DEADLINE_CODE });
    expect(caught(() => armDeadline(100, { stack: 'mapped' as never }))).toMatchObject({ code: BAD_DEADLINE_CODE, message: expect.stringContaining('stack') });
    expect(isDeadlineArmed()).toBe(false);
  });
});

describe('the watcher thread', () => {
  it("is the native addon's thread here (no Worker is started)", () => {
    armDeadline(60_000);
    expect(deadlineWatcherKind()).toBe('native');
  });

  // Node: the addon's thread on every thread; Bun and Deno: on the main thread (a worker's end is
  // not known to run the addon's cleanup there), a Worker in workers; Deno without --allow-ffi and
  // TRAPDOOR_DEADLINE_WATCHER=worker: a Worker everywhere.
  const fixture = fileURLToPath(new URL('./fixtures/deadline-watcher.mjs', import.meta.url));
  const cases = runtimes.flatMap(({ name, command }) => {
    const flags = name === 'deno' ? ['run', '--allow-read', '--allow-env', '--allow-ffi'] : [];
    return [
      { name, command, flags, env: {}, main: 'native', worker: name === 'node' ? 'native' : 'worker' },
      { name, command, flags, env: { TRAPDOOR_DEADLINE_WATCHER: 'worker' }, main: 'worker', worker: 'worker' },
      ...(name === 'deno' ? [{ name, command, flags: ['run', '--allow-read', '--allow-env'], env: {}, main: 'worker', worker: 'worker' }] : []),
    ];
  });
  it.each(cases)('on $name $flags $env: $main on the main thread, $worker in a worker; both stop a stuck loop', ({ command, flags, env, main, worker }) => {
    const result = spawnSync(command, [...flags, fixture], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { thread: 'main', kind: main, message: 'stuck on the main thread', code: STUCK_ERROR_CODE },
      { thread: 'worker', kind: worker, message: 'stuck on the worker', code: STUCK_ERROR_CODE },
    ]);
  });
});

describe('the built entry', () => {
  // Every test process under `trapdoor test` imports it: one file (scripts/bundle-entry.mjs), whose
  // only imports are Node's built-ins; what loads on the first fire (stuck-frames, inspector/) is
  // required then, by path.
  it.each(['esm', 'cjs'])('dist/%s/deadline.js is one file', (build) => {
    const code = readFileSync(fileURLToPath(new URL(`../dist/${build}/deadline.js`, import.meta.url)), 'utf8');
    const specifiers = [...code.matchAll(/^(?:import\b[^'"]*|.*\brequire\()['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => !specifier.startsWith('node:'))).toEqual([]);
  });
});
