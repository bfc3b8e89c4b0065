/**
 * `trapdoor test -- jest …` on real Jest 30 projects (test/test-runners/jest/*), copied to a
 * folder outside the repository with node_modules linked to the repository's (Jest, babel-jest,
 * ts-jest, Babel's TypeScript preset, trapdoor's own packages as the workspace links them).
 *
 * stuck-babel/ (babel-jest with the project's Babel config: TypeScript and JavaScript, testTimeout
 * 500 in package.json) and stuck-ts-jest/ (ts-jest, moduleNameMapper, testTimeout in
 * jest.config.cjs): tests stuck in synchronous loops — `while (true)` after warm-up in a .ts
 * source, a busy wait on Date.now() with its own per-test timeout, a loop in an
 * Array.prototype.some callback, a beforeAll hook and a test taking `done` under jest.setTimeout,
 * `for (;;)` in a module reached through moduleNameMapper, a loop in a .js test that no transform
 * of the project's matches (Jest loads it as it is) — among passing tests in the same and other
 * files. Each stuck test fails in Jest's own failure output with jest-circus's timeout message
 * (its timeout as jest-circus computes it), the original file:line:column it was stuck at and
 * Jest's code frame there; every other test passes; the run ends by itself with exit status 1.
 * With --timeout, that is every test's timeout. stuck-esm/ (Jest's ES modules, `transform: {}`):
 * a stuck test in an imported ES module fails at its line. passing/ (two `projects`, babel-jest
 * with moduleNameMapper and a snapshot, ts-jest): the same results, exit status and summary as
 * plain jest, cold and warm, and the sources were instrumented (Jest's transform cache holds the
 * instrumented code). The config form (the trapdoor-js/jest transformer and
 * trapdoor-js/jest/runner in the project's jest.config) stops stuck tests too, without
 * `trapdoor test`. Installed: trapdoor's packages packed with `npm pack` and unpacked into the
 * project's own node_modules (Jest and the rest linked from the repository's), where Jest's
 * transformIgnorePatterns and resolution see them as a user's install: the installed
 * `trapdoor test` and the config form both stop the stuck tests.
 *
 * Every run is killed after RUN_LIMIT_MS so that a regression (a hang) fails the test instead of
 * the suite; nothing asserts on time.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';
import { runToEnd, userEnv } from './helpers/test-run.js';

const FIXTURES = fileURLToPath(new URL('./test-runners/jest/', import.meta.url));
const TRAPDOOR = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const JEST = join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js');
/** A run that takes longer has hung: it is killed and its test fails. */
const RUN_LIMIT_MS = 120_000;

let work: string;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  report?: JsonReport;
}

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  numTotalTests: number;
  snapshot: { matched: number; total: number };
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
}

/** The user's environment, without the variables of the Vitest that runs this file. */
function project(name: string): string {
  const dir = mkdtempSync(join(work, `${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Jest in `cwd` to its end (or killed at RUN_LIMIT_MS), its JSON report read back; its own cache folder per project. */
async function run(cwd: string, prefix: string[], jestArgs: string[] = [], cache = 'cache', env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const reportFile = join(cwd, 'report.json');
  rmSync(reportFile, { force: true });
  const args = [...prefix, process.execPath, JEST, '--ci', `--cacheDirectory=${join(cwd, cache)}`, '--json', `--outputFile=${reportFile}`, ...jestArgs];
  const finished = await runToEnd(args, { cwd, env: userEnv(env), limitMs: RUN_LIMIT_MS });
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport) : undefined;
  return { ...finished, report };
}

const trapdoorTest = (cwd: string, options: string[] = [], jestArgs: string[] = [], cache?: string, env?: NodeJS.ProcessEnv) => run(cwd, [process.execPath, TRAPDOOR, 'test', ...options, '--'], jestArgs, cache, env);
const plainJest = (cwd: string, jestArgs: string[] = [], cache?: string) => run(cwd, [], jestArgs, cache);

/** Each test's status by its file (relative) and full name. */
function statuses(report: JsonReport | undefined, root: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const file of report?.testResults ?? []) {
    for (const test of file.assertionResults) result[`${file.name.slice(root.length + 1)} > ${test.fullName}`] = test.status;
  }
  return result;
}

function failureOf(report: JsonReport | undefined, fullName: string): string {
  for (const file of report?.testResults ?? []) {
    for (const test of file.assertionResults) if (test.fullName === fullName) return test.failureMessages.join('\n');
  }
  return `(no test named ${fullName})`;
}

/** `file:line:column` (1-based) of the first occurrence of `text` in a fixture file. */
function at(fixture: string, file: string, text: string): string {
  const lines = readFileSync(join(FIXTURES, fixture, file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${fixture}/${file}`);
  return `${file}:${index + 1}:${lines[index]!.indexOf(text) + 1}`;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const TIMEOUT_TEXT = 'Add a timeout value to this test to increase the timeout, if this is a long-running test. See https://jestjs.io/docs/api#testname-fn-timeout.';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-e2e-jest-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('babel-jest with the project’s Babel config (TypeScript and JavaScript)', () => {
  let dir: string;
  let result: Run;

  beforeAll(async () => {
    dir = project('stuck-babel');
    result = await trapdoorTest(dir);
  }, RUN_LIMIT_MS + 10_000);

  it('ends by itself with a failing status', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
  });

  it('fails each stuck test and passes every other one, in the same and other files', () => {
    expect(statuses(result.report, dir), result.output).toEqual({
      'src/math.test.ts > math adds': 'passed',
      'src/math.test.ts > math spins in a while (true) loop': 'failed',
      'src/math.test.ts > math still runs after the stuck one': 'passed',
      'src/wait.test.js > a short busy wait passes': 'passed',
      'src/wait.test.js > busy-waits on Date.now() past its own timeout': 'failed',
      'src/wait.test.js > loops inside an Array.prototype.some callback': 'failed',
      'src/ok.test.js > passes in another file': 'passed',
      'src/hooks.test.js > a stuck beforeAll hook is not run': 'failed',
      'src/hooks.test.js > takes done and spins before calling it': 'failed',
      'src/hooks.test.js > passes after them': 'passed',
    });
  });

  it('takes jest.setTimeout, stops a stuck hook as a hook, and a test that takes done() in jest-circus’s words for it', () => {
    const where = at('stuck-babel', 'src/hooks.test.js', 'for (;;)');
    expect(failureOf(result.report, 'a stuck beforeAll hook is not run')).toContain(`Exceeded timeout of 400 ms for a hook.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${where} (in spin)`);
    expect(failureOf(result.report, 'takes done and spins before calling it')).toContain(`Exceeded timeout of 400 ms for a test while waiting for \`done()\` to be called.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${where} (in spin)`);
  });

  it('names the original TypeScript line of while (true) in a source file, with jest-circus’s message and the test’s timeout', () => {
    const failure = failureOf(result.report, 'math spins in a while (true) loop');
    expect(failure).toContain(`Exceeded timeout of 500 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-babel', 'src/math.ts', 'while (true)')} (in spinUntil)`);
    expect(failure).toMatch(/locals: limit = 10, i = \d+/);
    // The stack in original positions: the loop, then the test's call of it.
    expect(failure).toContain(`at spinUntil (${join(dir, at('stuck-babel', 'src/math.ts', 'while (true)'))})`);
    expect(failure).toContain(`${join(dir, 'src/math.test.ts')}:${at('stuck-babel', 'src/math.test.ts', 'spinUntil(10)').split(':')[1]}:`);
  });

  it('uses the test’s own timeout for the busy wait on Date.now()', () => {
    const failure = failureOf(result.report, 'busy-waits on Date.now() past its own timeout');
    expect(failure).toContain(`Exceeded timeout of 300 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-babel', 'src/wait.test.js', 'while (Date.now()')} (in busyWait)`);
  });

  it('stops a loop inside an Array.prototype.some callback', () => {
    const failure = failureOf(result.report, 'loops inside an Array.prototype.some callback');
    expect(failure).toContain(`Exceeded timeout of 500 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-babel', 'src/wait.test.js', 'for (;;)')}`);
    expect(failure).toContain('locals: n = 1');
  });

  it('reports in Jest’s own format, with Jest’s code frame at the stuck line', () => {
    expect(result.output).toContain('● math › spins in a while (true) loop');
    expect(result.output).toMatch(/> +7 \| {3}while \(true\) \{/);
    expect(result.output).toMatch(/Tests: +5 failed, 5 passed, 10 total/);
  });
});

/**
 * A setup file with a loop that defines a function a test then spins in (setupFiles run in each
 * test file's sandbox before trapdoor's runner binds the worker's runtime: that code bound the
 * runtime before any test ran), and that test file.
 */
function writeSetupFile(dir: string): void {
  writeFileSync(
    join(dir, 'setup.js'),
    'function settle(n) { let i = 0; while (i < n) i++; return i; }\nglobalThis.settled = settle(3);\nglobalThis.spinInSetup = function spinInSetup() {\n  let i = 0;\n  while (true) i++;\n};\n',
  );
  writeFileSync(join(dir, 'src', 'setup-fn.test.js'), "test('spins in a function of the setup file', () => {\n  globalThis.spinInSetup();\n});\n\ntest('sees what the setup file did', () => {\n  expect(globalThis.settled).toBe(3);\n});\n");
}

/** The config form in jest.config.cjs (trapdoor-js/jest over babel-jest, trapdoor-js/jest/runner), `extra` lines added; the manifest's own `jest` key removed. */
function writeConfigForm(dir: string, extra = ''): void {
  writeFileSync(
    join(dir, 'jest.config.cjs'),
    `module.exports = {
  testEnvironment: 'node',
  testTimeout: 500,
${extra}  transform: { '\\\\.[jt]sx?$': ['trapdoor-js/jest', { transformer: 'babel-jest' }] },
  testRunner: 'trapdoor-js/jest/runner',
};
`,
  );
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.jest;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
}

describe.each([
  ['already has trapdoor-js/babel (the README’s line)', "['trapdoor-js/babel', '@babel/plugin-transform-modules-commonjs']"],
  ['is the usual one', "['@babel/plugin-transform-modules-commonjs']"],
])('a project whose Babel config %s, with a setup file that has a loop', (_name, plugins) => {
  let dir: string;
  let result: Run;

  beforeAll(async () => {
    dir = project('stuck-babel');
    writeFileSync(join(dir, 'babel.config.cjs'), `module.exports = { presets: ['@babel/preset-typescript'], plugins: ${plugins} };\n`);
    writeSetupFile(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    pkg.jest.setupFiles = ['<rootDir>/setup.js'];
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
    result = await trapdoorTest(dir);
  }, RUN_LIMIT_MS + 10_000);

  it('ends by itself, each stuck test failed at its original line (the tests’ code binds the worker’s runtime, whose deadline is armed)', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
    expect(result.report?.numFailedTests, result.output).toBe(6);
    expect(result.report?.numPassedTests, result.output).toBe(6);
    expect(failureOf(result.report, 'spins in a function of the setup file')).toContain(`Exceeded timeout of 500 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at setup.js:5:3 (in spinInSetup)`);
    expect(failureOf(result.report, 'sees what the setup file did')).toBe('');
    const failure = failureOf(result.report, 'math spins in a while (true) loop');
    expect(failure).toContain(`Exceeded timeout of 500 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-babel', 'src/math.ts', 'while (true)')} (in spinUntil)`);
    expect(failure).toContain(`${join(dir, 'src/math.test.ts')}:${at('stuck-babel', 'src/math.test.ts', 'spinUntil(10)').split(':')[1]}:`);
  });
});

describe('test.concurrent', () => {
  // Concurrent tests interleave on one thread; each is held to its own timeout while its code runs
  // (not the last one started, not the earliest): a stuck one fails with its own timeout and
  // location, one busy within its own longer timeout while another's shorter one passes still passes.
  let dir: string;
  let result: Run;

  beforeAll(async () => {
    dir = project('concurrent');
    result = await trapdoorTest(dir);
  }, RUN_LIMIT_MS + 10_000);

  it('fails each stuck concurrent test with its own timeout and location, and passes the others', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
    expect(statuses(result.report, dir), result.output).toEqual({
      'src/concurrent.test.js > concurrent spins after an await, under a short timeout of its own': 'failed',
      'src/concurrent.test.js > concurrent is busy for a while after an await, under its own longer timeout': 'passed',
      'src/concurrent.test.js > concurrent waits briefly under a timeout shorter than the busy one’s': 'passed',
      'src/concurrent.test.js > concurrent starts last, waits, and passes': 'passed',
      'src/concurrent.test.js > runs after the concurrent ones': 'passed',
      'src/spin-first.test.js > spins from its first line': 'failed',
      'src/spin-first.test.js > waits and passes': 'passed',
    });
    expect(failureOf(result.report, 'concurrent spins after an await, under a short timeout of its own')).toContain(
      `Exceeded timeout of 300 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('concurrent', 'src/concurrent.test.js', 'while (true)')} (in spin)`,
    );
    // Started before a test with a longer timeout, stuck before that one's function ran.
    expect(failureOf(result.report, 'spins from its first line')).toContain(`Exceeded timeout of 400 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('concurrent', 'src/spin-first.test.js', 'for (;;)')} (in spin)`);
  });
});

describe('coverageProvider v8', () => {
  // Jest's v8 coverage (v8-to-istanbul) under trapdoor test reports what plain jest reports: every
  // statement, branch and function with its place and hit count, and the same table. The fixture
  // has a TypeScript file through babel-jest (reported through its source map) and a CommonJS file
  // no transform of the project's matches (reported against the file itself); loops braced and
  // not, function entries, an arrow's expression body, a method, code never run.
  it('reports the plain run’s statements, branches, functions and table', async () => {
    const dir = project('v8-coverage');
    const coverage = (name: string) => ['--coverage', '--coverageProvider=v8', '--coverageReporters=json', '--coverageReporters=text', `--coverageDirectory=${join(dir, name)}`];
    const plain = await plainJest(dir, coverage('coverage-plain'), 'cache-plain');
    const trapped = await trapdoorTest(dir, [], coverage('coverage-trapdoor'), 'cache-trapdoor');
    expect(plain.status, plain.output).toBe(0);
    expect(trapped.status, trapped.output).toBe(0);
    type Loc = { start: { line: number; column: number }; end: { line: number; column: number } };
    type FileCoverage = { s: Record<string, number>; b: Record<string, number[]>; f: Record<string, number>; statementMap: Record<string, Loc>; branchMap: Record<string, { loc: Loc }>; fnMap: Record<string, { loc: Loc }> };
    const read = (name: string) => {
      const report = JSON.parse(readFileSync(join(dir, name, 'coverage-final.json'), 'utf8')) as Record<string, FileCoverage>;
      return Object.fromEntries(Object.entries(report).map(([file, data]) => [file.slice(dir.length + 1), { s: data.s, statementMap: data.statementMap, b: data.b, branchMap: data.branchMap, f: data.f, fnMap: data.fnMap }]));
    };
    const plainReport = read('coverage-plain');
    expect(Object.keys(plainReport).sort()).toEqual(['src/math.js', 'src/text.ts']);
    // Something to differ in: branches in both files, a function never called.
    expect(Object.keys(plainReport['src/math.js']!.b).length).toBeGreaterThan(3);
    expect(Object.keys(plainReport['src/text.ts']!.b).length).toBeGreaterThan(1);
    expect(Object.values(plainReport['src/math.js']!.f)).toContain(0);
    expect(read('coverage-trapdoor')).toEqual(plainReport);
    const table = (output: string) => output.split('\n').filter((line) => /^\s*(All files|[\w.]+\.[jt]s)\s+\|/.test(line));
    expect(table(plain.output).length).toBe(3);
    expect(table(trapped.output)).toEqual(table(plain.output));
  }, 2 * RUN_LIMIT_MS + 10_000);
});

describe('ts-jest with moduleNameMapper', () => {
  let dir: string;
  let result: Run;
  let overridden: Run;

  beforeAll(async () => {
    dir = project('stuck-ts-jest');
    result = await trapdoorTest(dir);
    overridden = await trapdoorTest(dir, ['--timeout', '200']);
  }, 2 * RUN_LIMIT_MS + 10_000);

  it('fails the stuck test at its original line in the mapped module, passes the rest, and fails the run', () => {
    expect(result.status, result.output).toBe(1);
    expect(statuses(result.report, dir), result.output).toEqual({
      'src/counter.test.ts > counts from zero': 'passed',
      'src/counter.test.ts > spins forever in a for (;;) loop': 'failed',
      'src/counter.test.ts > runs after the stuck test': 'passed',
      'src/other.test.ts > passes in another TypeScript file': 'passed',
      'src/plain.test.js > counts down from an even number': 'passed',
      'src/plain.test.js > never reaches zero from an odd one': 'failed',
    });
    // JavaScript that no transform of the project's matches is instrumented as Jest loads it.
    expect(failureOf(result.report, 'never reaches zero from an odd one')).toContain(`trapdoor: stuck in a synchronous loop at ${at('stuck-ts-jest', 'src/plain.test.js', 'while (n !== 0)')} (in countDown)`);
    const failure = failureOf(result.report, 'spins forever in a for (;;) loop');
    expect(failure).toContain(`Exceeded timeout of 500 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-ts-jest', 'src/lib/counter.ts', 'for (;;)')} (in spin)`);
    expect(failure).toMatch(/locals: counter = \{ count: \d+ \}/);
    expect(failure).toContain(`at spin (${join(dir, at('stuck-ts-jest', 'src/lib/counter.ts', 'for (;;)'))})`);
  });

  it('--timeout replaces the project’s testTimeout', () => {
    expect(overridden.status, overridden.output).toBe(1);
    expect(failureOf(overridden.report, 'spins forever in a for (;;) loop')).toContain(`Exceeded timeout of 200 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-ts-jest', 'src/lib/counter.ts', 'for (;;)')}`);
    expect(statuses(overridden.report, dir)).toEqual(statuses(result.report, dir));
    expect(failureOf(overridden.report, 'never reaches zero from an odd one')).toContain('Exceeded timeout of 200 ms for a test.');
  });
});

describe('a passing project with two projects (babel-jest with moduleNameMapper and a snapshot, ts-jest)', () => {
  let dir: string;
  let plain: Run;
  let instrumented: Run;
  let warm: Run;

  beforeAll(async () => {
    dir = project('passing');
    plain = await plainJest(dir, [], 'cache-plain');
    instrumented = await trapdoorTest(dir, [], [], 'cache-trapdoor');
    warm = await trapdoorTest(dir, [], [], 'cache-trapdoor');
  }, 3 * RUN_LIMIT_MS + 10_000);

  it('gives plain jest’s results, snapshots and exit status, cold and warm', () => {
    expect(plain.status, plain.output).toBe(0);
    expect(statuses(plain.report, dir)).toEqual({
      'babel/src/sort.test.ts > sorts': 'passed',
      'babel/src/sort.test.ts > matches its snapshot': 'passed',
      'babel/src/sort.test.ts > an error keeps its message and line': 'passed',
      'babel/src/async.test.js > awaits': 'passed',
      'babel/src/async.test.js > takes done': 'passed',
      'ts/src/words.test.ts > countWords counts': 'passed',
      'ts/src/words.test.ts > countWords has no empty words': 'passed',
    });
    for (const run of [instrumented, warm]) {
      expect(run.status, run.output).toBe(0);
      expect(statuses(run.report, dir)).toEqual(statuses(plain.report, dir));
      expect(run.report?.snapshot).toMatchObject({ matched: 1, total: 1 });
      // Jest adds a slow file's duration to its line.
      const summary = (output: string) => output.split('\n').filter((line) => /^(PASS|FAIL|Tests:|Test Suites:|Snapshots:)/.test(line)).map((line) => line.replace(/ \([\d.]+ m?s\)$/, '')).sort();
      expect(summary(run.output)).toEqual(summary(plain.output));
    }
  });

  it('instrumented the sources of both projects (Jest’s transform cache holds them with trapdoor’s checks)', () => {
    const cached = filesUnder(join(dir, 'cache-trapdoor')).filter((file) => !file.endsWith('.map')).map((file) => readFileSync(file, 'utf8'));
    const bridge = 'jest-runtime.cjs';
    expect(cached.some((code) => code.includes('insertionSort') && code.includes(bridge))).toBe(true);
    expect(cached.some((code) => code.includes('countWords') && code.includes(bridge))).toBe(true);
    const plainCache = filesUnder(join(dir, 'cache-plain')).map((file) => readFileSync(file, 'utf8'));
    expect(plainCache.some((code) => code.includes(bridge))).toBe(false);
  });
});

describe('ES modules (Jest’s --experimental-vm-modules, no transform)', () => {
  let dir: string;
  let result: Run;

  beforeAll(async () => {
    dir = project('stuck-esm');
    result = await trapdoorTest(dir, [], [], undefined, { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' });
  }, RUN_LIMIT_MS + 10_000);

  it('stops the stuck test in an imported ES module at its line, and runs the rest', () => {
    expect(result.status, result.output).toBe(1);
    expect(statuses(result.report, dir), result.output).toEqual({
      'src/esm.test.js > passes before': 'passed',
      'src/esm.test.js > spins in an ES module': 'failed',
      'src/esm.test.js > passes after': 'passed',
    });
    expect(failureOf(result.report, 'spins in an ES module')).toContain(`Exceeded timeout of 400 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-esm', 'src/math.js', 'while (true)')} (in spin)`);
  });
});

describe('the config form: trapdoor-js/jest and trapdoor-js/jest/runner in jest.config', () => {
  let dir: string;
  let result: Run;

  beforeAll(async () => {
    dir = project('stuck-babel');
    writeConfigForm(dir);
    result = await plainJest(dir);
  }, RUN_LIMIT_MS + 10_000);

  it('stops the stuck tests at their original lines without trapdoor test', () => {
    expect(result.status, result.output).toBe(1);
    expect(result.report?.numFailedTests, result.output).toBe(5);
    expect(result.report?.numPassedTests).toBe(5);
    expect(failureOf(result.report, 'math spins in a while (true) loop')).toContain(`trapdoor: stuck in a synchronous loop at ${at('stuck-babel', 'src/math.ts', 'while (true)')} (in spinUntil)`);
  });
});

describe("the config form with runtime: 'trapdoor-js/jest/runtime' and a setup file that has a loop", () => {
  let dir: string;
  let result: Run;

  beforeAll(async () => {
    dir = project('stuck-babel');
    // Without the runtime class the setup file's code binds the sandbox's copy of the runtime for
    // good (CommonJS reads its bindings once, before the runner publishes the worker's), and a test
    // stuck in a function it defined spins forever: no deadline reaches that copy.
    writeConfigForm(dir, "  setupFiles: ['<rootDir>/setup.js'],\n  runtime: 'trapdoor-js/jest/runtime',\n");
    writeSetupFile(dir);
    result = await plainJest(dir);
  }, RUN_LIMIT_MS + 10_000);

  it('ends by itself, the test stuck in the setup file\'s function failed at its line, the others as before', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.status, result.output).toBe(1);
    expect(result.report?.numFailedTests, result.output).toBe(6);
    expect(result.report?.numPassedTests, result.output).toBe(6);
    expect(failureOf(result.report, 'spins in a function of the setup file')).toContain('trapdoor: stuck in a synchronous loop at setup.js:5:3 (in spinInSetup)');
    expect(failureOf(result.report, 'sees what the setup file did')).toBe('');
    expect(failureOf(result.report, 'math spins in a while (true) loop')).toContain(`trapdoor: stuck in a synchronous loop at ${at('stuck-babel', 'src/math.ts', 'while (true)')} (in spinUntil)`);
  });
});

/**
 * A copy of a fixture whose node_modules holds trapdoor's packages as packed by `npm pack` (no
 * scripts: the build is there already) and links to the repository's node_modules for the rest.
 */
function installed(name: string): string {
  const dir = mkdtempSync(join(work, `${name}-installed-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@trapdoor-js'), { recursive: true });
  const repoModules = join(repoRoot, 'node_modules');
  for (const entry of readdirSync(repoModules)) {
    if (entry === 'trapdoor-js' || entry === '@trapdoor-js' || entry === '.bin') continue;
    symlinkSync(join(repoModules, entry), join(modules, entry));
  }
  for (const scoped of readdirSync(join(repoModules, '@trapdoor-js'))) {
    if (scoped !== 'runtime' && scoped !== 'transform') symlinkSync(join(repoModules, '@trapdoor-js', scoped), join(modules, '@trapdoor-js', scoped));
  }
  const packs = join(dir, '.packs');
  mkdirSync(packs);
  for (const [pkg, target] of [['transform', '@trapdoor-js/transform'], ['runtime', '@trapdoor-js/runtime'], ['trapdoor', 'trapdoor-js']] as const) {
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packs], { cwd: join(repoRoot, 'packages', pkg), encoding: 'utf8' });
    const [info] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>;
    mkdirSync(join(modules, target), { recursive: true });
    execFileSync('tar', ['-xzf', join(packs, info!.filename), '-C', join(modules, target), '--strip-components=1']);
  }
  return dir;
}

describe('installed from packed tarballs', () => {
  let dir: string;
  let viaCommand: Run;
  let viaConfig: Run;

  beforeAll(async () => {
    dir = installed('stuck-babel');
    const bin = join(dir, 'node_modules', 'trapdoor-js', 'bin', 'trapdoor.js');
    viaCommand = await run(dir, [process.execPath, bin, 'test', '--'], [], 'cache-command');
    writeFileSync(
      join(dir, 'jest.config.cjs'),
      `module.exports = {
  testEnvironment: 'node',
  testTimeout: 500,
  transform: { '\\\\.[jt]sx?$': ['trapdoor-js/jest', { transformer: 'babel-jest' }] },
  testRunner: 'trapdoor-js/jest/runner',
};
`,
    );
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    delete manifest.jest;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    viaConfig = await plainJest(dir, [], 'cache-config');
  }, 2 * RUN_LIMIT_MS + 60_000);

  it.each([
    ['the installed trapdoor test', () => viaCommand, 'cache-command'],
    ['the config form', () => viaConfig, 'cache-config'],
  ])('%s stops the stuck tests at their original lines', (_, result, cache) => {
    const { status, output, report } = result();
    expect(status, output).toBe(1);
    expect(report?.numFailedTests, output).toBe(5);
    expect(report?.numPassedTests, output).toBe(5);
    const failure = failureOf(report, 'math spins in a while (true) loop');
    expect(failure).toContain(`Exceeded timeout of 500 ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${at('stuck-babel', 'src/math.ts', 'while (true)')} (in spinUntil)`);
    // The instrumented code binds the installed package's runtime bridge.
    const bridge = join(dir, 'node_modules', 'trapdoor-js', 'dist', 'test-runners', 'hooks', 'jest-runtime.cjs');
    expect(filesUnder(join(dir, cache)).some((file) => readFileSync(file, 'utf8').includes(JSON.stringify(bridge)))).toBe(true);
  });
});

