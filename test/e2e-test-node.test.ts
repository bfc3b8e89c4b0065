/**
 * `trapdoor test -- node --test …` (Node 20) and `trapdoor test -- bun test …` (Bun 1.4) on real
 * projects (test/test-runners/node-test/*, test/test-runners/bun-test/*), copied to a folder
 * outside the repository with node_modules linked to the repository's.
 *
 * stuck/: tests stuck in synchronous loops — `while (true)` after warm-up in a source module, a
 * busy wait on Date.now() with its own timeout, a loop in an Array.prototype.some callback, a
 * `for (;;)` in TypeScript, a beforeAll hook (bun) — among passing tests in the same and other
 * files (ES modules, CommonJS, TypeScript). Each stuck test fails in the runner's own report with the runner's own timeout
 * wording (node:test: `test timed out after <ms>ms`; bun: `this test timed out after <ms>ms.`),
 * its timeout as the runner resolves it, and the original file:line:column it was stuck at; every
 * other test passes; the run ends by itself with exit status 1. concurrent/: subtests with
 * `{ concurrency: true }` (a describe's and a test's) each fail with their own timeout and place,
 * while a sibling busy or waiting within its own longer timeout passes. node:test's default is no timeout:
 * a test without one is stopped by Node's --test-timeout or trapdoor's --timeout. Bun's default
 * (5000 ms) gives way to `bun test --timeout`, and both to trapdoor's --timeout. passing/: the same
 * results and exit status as the plain run, and the files were instrumented (the loader's module
 * dump names them; under bun, a test prints whether its function carries trapdoor's checks).
 *
 * Every run is killed after RUN_LIMIT_MS so that a regression (a hang) fails the test instead of
 * the suite; nothing asserts on time.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';
import { runToEnd, userEnv } from './helpers/test-run.js';

const FIXTURES = fileURLToPath(new URL('./test-runners/', import.meta.url));
const TRAPDOOR = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const BUN = join(repoRoot, 'node_modules', '.bin', 'bun');
/** A run that takes longer has hung: it is killed and its test fails. */
const RUN_LIMIT_MS = 120_000;

let work: string;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** The user's environment, without the variables of the Vitest that runs this file. */
function project(fixture: string): string {
  const dir = mkdtempSync(join(work, `${fixture.replace('/', '-')}-`));
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function run(cwd: string, command: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runToEnd(command, { cwd, env: userEnv(env), limitMs: RUN_LIMIT_MS });
}

const trapdoorTest = (cwd: string, options: string[], command: string[], env?: NodeJS.ProcessEnv) => run(cwd, [process.execPath, TRAPDOOR, 'test', ...options, '--', ...command], env);

/** `file:line:column` (1-based) of the first occurrence of `text` in a fixture file. */
function at(fixture: string, file: string, text: string): string {
  const lines = readFileSync(join(FIXTURES, fixture, file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${fixture}/${file}`);
  return `${file}:${index + 1}:${lines[index]!.indexOf(text) + 1}`;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What node:test's TAP report says of each test and suite, by name. */
function tapStatuses(output: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of output.matchAll(/^\s*(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b.*)?$/gm)) result[match[2]!] = match[3] !== undefined ? match[3].toLowerCase() : match[1] === 'ok' ? 'passed' : 'failed';
  return result;
}

/** What bun test's report says of each test, by its full name. */
function bunStatuses(output: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of output.matchAll(/^\((pass|fail|skip|todo)\) (.*?)(?: \[[\d.]+m?s\])?$/gm)) result[match[2]!] = match[1]!;
  return result;
}

/** The files the loaders instrumented, from TRAPDOOR_DEBUG_DUMP_MODULES (relative to `dir`). */
function dumped(file: string, dir: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return [...new Set([...text.matchAll(new RegExp(`${escape(dir)}/([\\w./-]+\\.(?:[cm]?[jt]s))`, 'g'))].map((m) => m[1]!))].sort();
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-e2e-node-test-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const NODE_FILES = ['src/spin.test.js', 'src/wait.test.cjs', 'src/types.test.ts'];

describe('node --test', () => {
  let dir: string;
  let result: Run;
  let testTimeout: Run;
  let overridden: Run;

  beforeAll(async () => {
    dir = project('node-test/stuck');
    [result, testTimeout, overridden] = await Promise.all([
      trapdoorTest(dir, [], ['node', '--test', '--test-reporter=tap', ...NODE_FILES]),
      trapdoorTest(dir, [], ['node', '--test', '--test-reporter=tap', '--test-timeout=400', 'src/no-timeout.test.js']),
      trapdoorTest(dir, ['--timeout', '200'], ['node', '--test', '--test-reporter=tap', 'src/no-timeout.test.js', 'src/wait.test.cjs']),
    ]);
  }, RUN_LIMIT_MS + 10_000);

  it('ends by itself with a failing status', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
  });

  it('fails each stuck test and passes every other one, in the same and other files (ES module, CommonJS, TypeScript)', () => {
    expect(tapStatuses(result.output), result.output).toMatchObject({
      adds: 'passed',
      'spins in a while (true) loop': 'failed',
      'still runs after the stuck one': 'passed',
      'passes in TypeScript': 'passed',
      'spins in TypeScript': 'failed',
      'a short busy wait passes': 'passed',
      'busy-waits on Date.now() past its timeout': 'failed',
      'loops inside an Array.prototype.some callback': 'failed',
    });
    expect(result.output).toMatch(/^# pass 4$/m);
    expect(result.output).toMatch(/^# fail 4$/m);
  });

  it('fails them with node:test’s timeout wording, the test’s own timeout and the original file:line:column', () => {
    const stuck = (timeout: number, where: string, fn?: string) =>
      new RegExp(`error: \\|-\\n\\s*test timed out after ${timeout}ms\\n\\s*trapdoor: stuck in a synchronous loop at ${escape(where)}${fn ? ` \\(in ${fn}\\)` : '\\n'}`);
    expect(result.output).toMatch(stuck(500, at('node-test/stuck', 'src/math.js', 'while (true)'), 'spinUntil'));
    expect(result.output).toMatch(stuck(300, at('node-test/stuck', 'src/wait.test.cjs', 'while (Date.now()'), 'busyWait'));
    expect(result.output).toMatch(stuck(500, at('node-test/stuck', 'src/wait.test.cjs', 'for (;;)')));
    expect(result.output).toMatch(stuck(500, at('node-test/stuck', 'src/types.test.ts', 'for (;;)'), 'spinOn'));
    expect(result.output).toContain("code: 'ERR_TRAPDOOR_STUCK'");
    // The stack in original positions.
    expect(result.output).toContain(`spinUntil (${join(dir, at('node-test/stuck', 'src/math.js', 'while (true)'))})`);
    expect(result.output).toContain(`spinOn (${join(dir, at('node-test/stuck', 'src/types.test.ts', 'for (;;)'))})`);
  });

  it('a test without a timeout of its own is stopped by Node’s --test-timeout, applied to each test', () => {
    expect(testTimeout.status, testTimeout.output).toBe(1);
    expect(tapStatuses(testTimeout.output)).toMatchObject({ 'spins without a timeout of its own': 'failed' });
    expect(testTimeout.output).toMatch(new RegExp(`test timed out after 400ms\\n\\s*trapdoor: stuck in a synchronous loop at ${escape(at('node-test/stuck', 'src/no-timeout.test.js', 'while (n >= 0)'))}`));
  });

  it('--timeout is every test’s deadline, with or without a timeout of its own', () => {
    expect(overridden.status, overridden.output).toBe(1);
    expect(tapStatuses(overridden.output)).toMatchObject({
      'spins without a timeout of its own': 'failed',
      'a short busy wait passes': 'passed',
      'busy-waits on Date.now() past its timeout': 'failed',
      'loops inside an Array.prototype.some callback': 'failed',
    });
    expect(overridden.output.match(/test timed out after 200ms\n\s*trapdoor: stuck/g)).toHaveLength(3);
  });
});

describe('node --test with concurrent subtests', () => {
  // Concurrent subtests interleave on one thread: each is held to its own timeout (the one whose
  // code runs), not the last-started sibling's (which let a stuck test run on under a long timeout
  // and a busy one fail at a stuck sibling's short one).
  let result: Run;

  beforeAll(async () => {
    result = await trapdoorTest(project('node-test/concurrent'), [], ['node', '--test', '--test-reporter=tap', 'src/concurrent.test.js']);
  }, RUN_LIMIT_MS + 10_000);

  it('fails each stuck concurrent subtest with its own timeout and place; a busy or waiting sibling within its own longer timeout passes', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
    expect(tapStatuses(result.output), result.output).toMatchObject({
      'busy within its own longer timeout': 'passed',
      'stuck, started last': 'failed',
      'stuck, started first': 'failed',
      'waits within its own longer timeout': 'passed',
      'runs after them': 'passed',
    });
    const stuck = (where: string) => new RegExp(`error: \\|-\\n\\s*test timed out after 300ms\\n\\s*trapdoor: stuck in a synchronous loop at ${escape(where)}\\n`, 'g');
    expect(result.output.match(stuck(at('node-test/concurrent', 'src/concurrent.test.js', 'while (true)')))).toHaveLength(1);
    expect(result.output.match(stuck(at('node-test/concurrent', 'src/concurrent.test.js', 'for (;;)')))).toHaveLength(1);
    expect(result.output.match(/test timed out after/g)).toHaveLength(2);
  });
});

describe('node --test on a passing project', () => {
  it('gives the plain run’s results and exit status, with the files instrumented', async () => {
    const dir = project('node-test/passing');
    const command = ['node', '--test', '--test-reporter=tap', 'src/sort.test.js', 'src/errors.test.cjs'];
    const dump = join(dir, 'dump.json');
    const [plain, instrumented] = await Promise.all([run(dir, command), trapdoorTest(dir, [], command, { TRAPDOOR_DEBUG_DUMP_MODULES: dump })]);
    expect(plain.status, plain.output).toBe(0);
    expect(instrumented.status, instrumented.output).toBe(0);
    expect(tapStatuses(instrumented.output)).toEqual(tapStatuses(plain.output));
    expect(Object.keys(tapStatuses(plain.output))).toHaveLength(8);
    const summary = (output: string) => output.match(/^# (tests|suites|pass|fail|cancelled|skipped|todo) \d+$/gm);
    expect(summary(instrumented.output)).toEqual(summary(plain.output));
    // The last file's process writes the dump; either file, as long as it is the project's own.
    expect(dumped(dump, dir).length).toBeGreaterThan(0);
  }, RUN_LIMIT_MS + 10_000);
});

describe('bun test', () => {
  let dir: string;
  let result: Run;
  let overridden: Run;

  beforeAll(async () => {
    dir = project('bun-test/stuck');
    [result, overridden] = await Promise.all([trapdoorTest(dir, [], [BUN, 'test', '--timeout', '400']), trapdoorTest(dir, ['--timeout', '200'], [BUN, 'test', 'src/wait.test.js'])]);
  }, RUN_LIMIT_MS + 10_000);

  it('ends by itself with a failing status', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
  });

  it('fails each stuck test and passes every other one, in the same and other files', () => {
    expect(bunStatuses(result.output), result.output).toEqual({
      'math > adds': 'pass',
      'math > spins in a while (true) loop': 'fail',
      'math > still runs after the stuck one': 'pass',
      'a short busy wait passes': 'pass',
      'busy-waits on Date.now() past its timeout': 'fail',
      'loops inside an Array.prototype.some callback': 'fail',
      'passes in another file': 'pass',
      // bun's own name for the failure of a hook that fails its describe block's tests.
      'a stuck beforeAll hook > (unnamed)': 'fail',
      'passes after it': 'pass',
      'ends before the other one spins': 'pass',
      'spins after the other one ended': 'fail',
      // bun's own timer fails a test that waits; its deadline goes with it.
      'after a waiting test bun timed out > waits past its timeout': 'fail',
      'after a waiting test bun timed out > is busy within its own timeout': 'pass',
      'a slow afterEach hook > after a quick test with a short timeout passes': 'pass',
    });
  });

  it('keeps a concurrent test’s deadline when another one ends first', () => {
    expect(result.output).toMatch(new RegExp(`this test timed out after 500ms\\.\\ntrapdoor: stuck in a synchronous loop at ${escape(at('bun-test/stuck', 'src/concurrent.test.js', 'while (true)'))} \\(in spin\\)`));
  });

  it('stops a stuck hook, in bun’s words for a hook', () => {
    expect(result.output).toMatch(new RegExp(`a beforeEach/afterEach hook timed out for this test\\.\\ntrapdoor: stuck in a synchronous loop at ${escape(at('bun-test/stuck', 'src/hooks.test.js', 'for (;;)'))} \\(in spin\\)`));
  });

  it('fails them with bun’s timeout wording, the timeout bun gives each test and the original file:line:column', () => {
    const stuck = (timeout: number, where: string) => new RegExp(`this test timed out after ${timeout}ms\\.\\ntrapdoor: stuck in a synchronous loop at ${escape(where)}`);
    // The test's own timeout argument, in TypeScript.
    expect(result.output).toMatch(stuck(500, at('bun-test/stuck', 'src/math.ts', 'while (true)')));
    expect(result.output).toMatch(stuck(300, at('bun-test/stuck', 'src/wait.test.js', 'while (Date.now()')));
    // No timeout of its own: bun test --timeout.
    expect(result.output).toMatch(stuck(400, at('bun-test/stuck', 'src/wait.test.js', 'for (;;)')));
  });

  it('prints the stuck line as the first frame of bun’s stack and no frame or excerpt of the runtime (the check throws the error itself)', () => {
    // Bun prints the stack captured where an error is thrown, with an excerpt of that file.
    const reports = [...result.output.matchAll(/trapdoor: stuck in a synchronous loop at (\S+):(\d+):\d+.*\n(?: {2}locals: .*\n)?\s+at (?:.*? \()?(\S+?):(\d+):\d+\)?\n/g)];
    expect(reports.length, result.output).toBe(4);
    for (const [, file, line, topFile, topLine] of reports) expect(`${topFile}:${topLine}`, result.output).toBe(`${join(dir, file!)}:${line}`);
    expect(result.output).not.toMatch(/runtime[\\/](?:dist|src)[\\/]|deadline\.js|trap\.js|stuck-error/);
    expect(result.output).not.toMatch(/throw stuckError\(/);
  });

  it('ends a stuck test’s stack at the test function, as bun prints a plain slow test’s (no frame of trapdoor’s hook)', () => {
    const tests = result.output.split(/^StuckError: /m).filter((report) => report.startsWith('this test timed out'));
    expect(tests.length, result.output).toBe(4);
    for (const report of tests) expect(report.split(/^\(fail\)/m)[0], result.output).not.toMatch(/hooks[\\/]bun-test\.js/);
  });

  it('--timeout is every test’s deadline', () => {
    expect(overridden.status, overridden.output).toBe(1);
    expect(bunStatuses(overridden.output)).toEqual({
      'a short busy wait passes': 'pass',
      'busy-waits on Date.now() past its timeout': 'fail',
      'loops inside an Array.prototype.some callback': 'fail',
    });
    expect(overridden.output.match(/this test timed out after 200ms\.\ntrapdoor: stuck/g)).toHaveLength(2);
  });
});

describe('bun test with a bunfig.toml', () => {
  // Bun 1.4 reads bunfig's [test] preload but not its [test] timeout (oven-sh/bun#7789): a test
  // gets bun's 5000 ms default. trapdoor's deadline follows what bun does, not what bunfig says;
  // the plain run pins bun's behaviour, so a Bun that starts reading the key fails here first.
  let plain: Run;
  let result: Run;

  beforeAll(async () => {
    const dir = project('bun-test/bunfig');
    [plain, result] = await Promise.all([run(dir, [BUN, 'test', 'src/waits.test.js']), trapdoorTest(dir, [], [BUN, 'test'])]);
  }, RUN_LIMIT_MS + 10_000);

  it('runs as bun runs it: the bunfig preload is loaded, its timeout is not applied', () => {
    expect(plain.status, plain.output).toBe(0);
    expect(bunStatuses(plain.output)).toEqual({ 'the bunfig preload ran': 'pass', 'waits longer than the bunfig timeout': 'pass' });
  });

  it('keeps the project’s bunfig preload beside trapdoor’s, and stops the stuck test at bun’s own timeout', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
    expect(bunStatuses(result.output), result.output).toEqual({
      'the bunfig preload ran': 'pass',
      'waits longer than the bunfig timeout': 'pass',
      'spins with no timeout of its own': 'fail',
      'passes after it': 'pass',
    });
    expect(result.output).toMatch(new RegExp(`this test timed out after 5000ms\\.\\ntrapdoor: stuck in a synchronous loop at ${escape(at('bun-test/bunfig', 'src/spin.test.js', 'while (true)'))} \\(in spin\\)`));
  });
});

describe('bun test on a passing project', () => {
  it('gives the plain run’s results and exit status, with the files instrumented', async () => {
    const dir = project('bun-test/passing');
    const [plain, instrumented] = await Promise.all([run(dir, [BUN, 'test']), trapdoorTest(dir, [], [BUN, 'test'])]);
    expect(plain.status, plain.output).toBe(0);
    expect(instrumented.status, instrumented.output).toBe(0);
    expect(bunStatuses(instrumented.output)).toEqual(bunStatuses(plain.output));
    expect(Object.keys(bunStatuses(plain.output))).toHaveLength(8);
    const summary = (output: string) => output.match(/^ \d+ (pass|fail|skip)$|^Ran \d+ tests? across \d+ files?/gm);
    expect(summary(instrumented.output)).toEqual(summary(plain.output));
    // bun test does not run exit handlers, so no module dump: the fixture says it.
    expect(plain.output).toContain('instrumented: false');
    expect(instrumented.output).toContain('instrumented: true');
  }, RUN_LIMIT_MS + 10_000);
});
