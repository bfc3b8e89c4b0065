/**
 * `trapdoor test -- vitest …` on real Vitest projects (test/test-runners/vitest/*), copied to a
 * folder outside the repository with node_modules linked to the repository's (Vitest 4.1, Vite,
 * the coverage providers, trapdoor's own packages as the workspace links them).
 *
 * stuck/: tests stuck in synchronous loops — `while (true)` after warm-up (TypeScript), a busy
 * wait on Date.now() with its own per-test timeout (JavaScript), a loop in an
 * Array.prototype.some callback in a source file reached through the project's alias, a
 * concurrent test after an await, a beforeEach hook with its own timeout — among passing tests in
 * the same and other files; the project's config has its own plugin, alias,
 * setup file, test runner and testTimeout. In the forks and the threads pool, and through
 * `npm test`: each stuck test fails in Vitest's own failure output with Vitest's timeout message
 * and the place it was stuck (file:line:column, the locals, Vitest's code frame there), every
 * other test passes (the project's plugin, alias, setup file and runner ran), and the run ends by
 * itself with exit status 1. With --timeout, the tests' deadlines are that (hooks keep theirs).
 * projects/: inline projects (an object, a function) and projects by glob (a folder with its own
 * config file, one without) are found and named as plain Vitest finds and names them, and all are
 * instrumented; under the plugin alone, a project with its own config file is named in a warning. plugin/: `trapdoor-js/vitest` in a project's own config,
 * under plain `vitest run`. failing/: assertion failures and errors thrown in loops and callbacks
 * are shown exactly as plain `vitest run` shows them (stack frames, code frames). passing/: the
 * results and output of plain `vitest run`; v8 and
 * istanbul coverage report the same statements, branches, functions and lines as without trapdoor.
 * Installed: the packages packed and added with pnpm (strict) to a copy of stuck/, in both pools.
 * Bad command lines: one error line, a pointer to --help, exit status 2.
 *
 * Each Vitest run is killed after RUN_LIMIT_MS so that a regression (a hang) fails the test
 * instead of the suite; nothing asserts on time.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';
import { runToEnd, userEnv, type Finished } from './helpers/test-run.js';

const FIXTURES = fileURLToPath(new URL('./test-runners/vitest/', import.meta.url));
const TRAPDOOR = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const VITEST = join('node_modules', '.bin', 'vitest');
/** A run that takes longer has hung: it is killed and its test fails. */
const RUN_LIMIT_MS = 90_000;

let work: string;

interface Run extends Finished {
  /** Vitest's JSON report (--reporter=json), when it wrote one. */
  report?: JsonReport;
}

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
}

/** The user's environment, without the variables of the Vitest that runs this file. */
function project(name: string): string {
  const dir = mkdtempSync(join(work, `${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs `command` in `cwd` to its end (or kills it at RUN_LIMIT_MS), with Vitest's JSON report read from report.json. */
async function run(cwd: string, command: string[], { json = true, env = {} }: { json?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const reportFile = join(cwd, 'report.json');
  rmSync(reportFile, { force: true });
  const args = json ? [...command, '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`] : command;
  const finished = await runToEnd(args, { cwd, env: userEnv(env), limitMs: RUN_LIMIT_MS });
  const report = json && existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport) : undefined;
  return { ...finished, report };
}

const trapdoorTest = (cwd: string, options: string[], command: string[], json = true, env: NodeJS.ProcessEnv = {}) =>
  run(cwd, [process.execPath, TRAPDOOR, 'test', ...options, '--', ...command], { json, env });

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

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(join(FIXTURES, file), 'utf8').split('\n').findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

function columnOf(file: string, text: string): number {
  const line = readFileSync(join(FIXTURES, file), 'utf8').split('\n')[lineOf(file, text) - 1]!;
  return line.indexOf(text) + 1;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-e2e-vitest-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Where a fixture file's line containing `text` starts that text: `file:line:column`, as Vitest shows it. */
const place = (shown: string, file: string, text: string) => `${shown}:${lineOf(file, text)}:${columnOf(file, text)}`;

/** The stuck project's stuck tests: where each is stuck, and the timeout it fails with (its own, or its hook's). */
const STUCK = {
  while: { name: 'spins in while (true)', file: 'test/while.test.ts', ms: 500, hook: false, at: () => place('test/while.test.ts', 'stuck/test/while.test.ts', 'while (true) {') },
  busy: { name: 'waits busily on Date.now()', file: 'test/busy-wait.test.js', ms: 700, hook: false, at: () => place('test/busy-wait.test.js', 'stuck/test/busy-wait.test.js', 'while (Date.now()') },
  concurrent: { name: 'concurrent spins after an await', file: 'test/concurrent.test.ts', ms: 500, hook: false, at: () => place('test/concurrent.test.ts', 'stuck/test/concurrent.test.ts', 'while (spins') },
  some: { name: 'native callbacks spins inside Array.prototype.some', file: 'test/some.test.ts', ms: 500, hook: false, at: () => place('src/spin.ts', 'stuck/src/spin.ts', 'while (seen') },
  hook: { name: 'a stuck beforeEach fails as its hook timed out', file: 'test/hooks.test.ts', ms: 300, hook: true, at: () => place('test/hooks.test.ts', 'stuck/test/hooks.test.ts', 'while (spins') },
} as const;

const PASSING_IN_STUCK = {
  'test/while.test.ts > passes before': 'passed',
  'test/while.test.ts > passes after': 'passed',
  'test/busy-wait.test.js > passes in the same file': 'passed',
  'test/some.test.ts > native callbacks passes next to it': 'passed',
  'test/passing.test.ts > another file passes': 'passed',
  'test/concurrent.test.ts > concurrent waits, then passes': 'passed',
  'test/concurrent.test.ts > concurrent passes at once': 'passed',
  'test/hooks.test.ts > the hooks after it run as usual': 'passed',
};
const STUCK_COUNT = Object.keys(STUCK).length;
const PASSING_COUNT = Object.keys(PASSING_IN_STUCK).length;

describe.each(['forks', 'threads'])('trapdoor test -- vitest run --pool=%s', (pool) => {
  let result: Run;

  it('fails each stuck test at the place it was stuck, passes the others, and ends with status 1', async () => {
    const dir = project('stuck');
    result = await trapdoorTest(dir, [], [VITEST, 'run', `--pool=${pool}`]);
    const context = result.output;
    expect(result.output, context).not.toContain('[killed after');
    expect(result.status, context).toBe(1);
    expect(statuses(result.report, dir), context).toEqual({
      ...PASSING_IN_STUCK,
      [`${STUCK.while.file} > ${STUCK.while.name}`]: 'failed',
      [`${STUCK.busy.file} > ${STUCK.busy.name}`]: 'failed',
      [`${STUCK.some.file} > ${STUCK.some.name}`]: 'failed',
      [`${STUCK.concurrent.file} > ${STUCK.concurrent.name}`]: 'failed',
      [`${STUCK.hook.file} > ${STUCK.hook.name}`]: 'failed',
    });
    expect(result.report?.numPassedTests).toBe(PASSING_COUNT);
    expect(result.report?.numFailedTests).toBe(STUCK_COUNT);
  });

  it("reports each in Vitest's own failure format: its timeout message, the stuck place, a code frame there", () => {
    const out = result.output;
    for (const stuck of Object.values(STUCK)) {
      const at = stuck.at();
      const failure = failureOf(result.report, stuck.name);
      expect(failure, out).toContain(`${stuck.hook ? 'Hook' : 'Test'} timed out in ${stuck.ms}ms.`);
      expect(failure, out).toContain(`trapdoor: stuck in a synchronous loop at ${at}`);
      // Vitest's FAIL block: the header, the error, then the first frame as "❯ [fn] file:line:col" with its code frame.
      const name = stuck.name.replace(/^(native callbacks|concurrent|a stuck beforeEach) /, '$1 > ');
      const block = out.slice(out.indexOf(` FAIL  ${stuck.file} > ${name}`));
      expect(block, out).toMatch(/^ FAIL {2}/);
      const frame = /❯ (?:\S+ )?(\S+:\d+:\d+)/.exec(block);
      expect(frame?.[1], block.slice(0, 2000)).toBe(at);
      const [line] = at.split(':').slice(1);
      expect(block.slice(0, 2000)).toMatch(new RegExp(`^ *${line}\\|.*(?:while|until)`, 'm'));
    }
    // The frames below the stuck one are the callers, in original positions, as for any error.
    const some = out.slice(out.indexOf(` FAIL  ${STUCK.some.file} > native callbacks > `));
    const frames = [...some.slice(0, 3000).matchAll(/❯ (?:(\S+) )?(\S+:\d+:\d+)/g)].map((m) => `${m[1] ?? ''} ${m[2]}`.trim());
    expect(frames.slice(1, 3), some.slice(0, 3000)).toEqual([
      // V8 names a method call at the method's name.
      `someSpins ${place('src/spin.ts', 'stuck/src/spin.ts', 'some((item)')}`,
      place('test/some.test.ts', 'stuck/test/some.test.ts', 'someSpins(['),
    ]);
    // The locals of the stuck frame are in the message.
    expect(failureOf(result.report, STUCK.while.name)).toMatch(/locals: warm = \d+/);
    expect(failureOf(result.report, STUCK.some.name)).toMatch(/locals: .*item = 1/);
  });
});

describe('trapdoor test -- npm test', () => {
  it('runs the package script when it is one plain vitest command, from a folder inside the package', async () => {
    const dir = project('stuck');
    const result = await run(join(dir, 'test'), [process.execPath, TRAPDOOR, 'test', '--', 'npm', 'test', '--', '--pool=threads', '--reporter=default', '--reporter=json', `--outputFile.json=${join(dir, 'report.json')}`], { json: false });
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport;
    expect(result.status, result.output).toBe(1);
    expect(report.numFailedTests, result.output).toBe(STUCK_COUNT);
    expect(report.numPassedTests, result.output).toBe(PASSING_COUNT);
    expect(failureOf(report, STUCK.while.name)).toContain(`trapdoor: stuck in a synchronous loop at ${STUCK.while.at()}`);
  });

  it('refuses a script that is more than a vitest command (its words are not known without a shell)', async () => {
    const dir = project('passing');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', private: true, type: 'module', scripts: { test: 'vitest run && echo done' } }));
    const result = await run(dir, [process.execPath, TRAPDOOR, 'test', '--', 'npm', 'test'], { json: false });
    expect(result.status, result.output).toBe(2);
    expect(result.output).toContain("trapdoor test: no supported test runner runs 'npm test'");
  });
});

describe('trapdoor test --timeout', () => {
  it("gives every test that deadline, instead of testTimeout and the per-test timeout; hooks keep theirs", async () => {
    const dir = project('stuck');
    const result = await trapdoorTest(dir, ['--timeout', '250'], [VITEST, 'run']);
    expect(result.output).not.toContain('[killed after');
    expect(result.status, result.output).toBe(1);
    expect(result.report?.numFailedTests, result.output).toBe(STUCK_COUNT);
    expect(result.report?.numPassedTests, result.output).toBe(PASSING_COUNT);
    for (const stuck of Object.values(STUCK)) expect(failureOf(result.report, stuck.name)).toContain(stuck.hook ? `Hook timed out in ${stuck.ms}ms.` : 'Test timed out in 250ms.');
  });
});

describe('a project whose tests fail as tests do (none is stuck)', () => {
  it("reports them as plain vitest run does: the same errors, diffs, stack frames and code frames, the same status", async () => {
    const dir = project('failing');
    const plain = await run(dir, [VITEST, 'run'], { json: false });
    const trapped = await trapdoorTest(dir, [], [VITEST, 'run'], false);
    // Each stream alone: Vitest writes the failures to stderr and the summary to stdout, so how the two interleave is the scheduler's.
    const lines = (text: string) => text.split('\n').filter((line) => !/^\s*(Start at|Duration)\b/.test(line)).map((line) => line.replace(/ \d+ms\b/g, '')).join('\n');
    const shown = (result: Run) => ({ stdout: lines(result.stdout), stderr: lines(result.stderr) });
    expect(plain.status, plain.output).toBe(1);
    expect(plain.output).toContain('❯ check test/fails.test.ts:3:');
    expect(trapped.status).toBe(1);
    expect(shown(trapped)).toEqual(shown(plain));
  });
});

describe('projects', () => {
  it('finds the same projects, with the same names, as plain Vitest (vitest list, --project)', async () => {
    const dir = project('projects');
    for (const filter of [[], ['--project', 'fixture-lib', '--project', 'inline']]) {
      const plain = await run(dir, [VITEST, 'list', ...filter], { json: false });
      const trapped = await trapdoorTest(dir, [], [VITEST, 'list', ...filter], false);
      expect(plain.status, plain.output).toBe(0);
      expect(trapped.output).toBe(plain.output);
    }
  });

  it('instruments every project: inline (an object, a function), a folder with its own config file, one without', async () => {
    const dir = project('projects');
    const result = await trapdoorTest(dir, [], [VITEST, 'run']);
    expect(result.output).not.toContain('[killed after');
    expect(result.status, result.output).toBe(1);
    const at = (file: string, text: string) => `trapdoor: stuck in a synchronous loop at ${place(file, `projects/${file}`, text)}`;
    for (const [label, file, test, ms, text] of [
      ['inline', 'inline/stuck.test.ts', 'stuck', 400, 'for (;;)'],
      ['from-function', 'inline/stuck.test.ts', 'stuck', 450, 'for (;;)'],
      ['fixture-lib', 'test/lib.test.ts', 'lib is stuck', 350, 'while (spins'],
      ['fixture-plain', 'plain.test.js', 'a folder without a config of its own', 400, 'while (Date.now()'],
    ] as const) {
      const block = result.output.slice(result.output.indexOf(` FAIL  |${label}| ${file} > ${test}\n`));
      expect(block, result.output).toMatch(new RegExp(`^ FAIL  \\|${label}\\| \\S+ > ${test}\\nStuckError: Test timed out in ${ms}ms\\.`));
      const shown = label === 'fixture-lib' ? `packages/lib/${file}` : label === 'fixture-plain' ? `packages/plain/${file}` : file;
      expect(block.slice(0, 600)).toContain(at(shown, text));
    }
    expect(result.report?.numPassedTests, result.output).toBe(3);
    expect(result.report?.numFailedTests, result.output).toBe(4);
    expect(result.output).not.toContain('are not instrumented');
    // trapdoor's own runner (and its deadlines, which Node loads outside Vite) is not a frame Vitest shows.
    expect(result.output).not.toContain('vitest-runner');
    expect(result.output).not.toContain('vitest-deadlines');
  });

  it("the plugin in a root config whose projects load their own config files names them as not instrumented", async () => {
    const dir = project('projects');
    writeFileSync(
      join(dir, 'vitest.plugin.config.mjs'),
      "import { defineConfig } from 'vitest/config';\nimport trapdoor from 'trapdoor-js/vitest';\nexport default defineConfig({ plugins: [trapdoor()], test: { projects: ['packages/lib'] } });\n",
    );
    const result = await run(dir, [VITEST, 'list', '--config', 'vitest.plugin.config.mjs'], { json: false });
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain("trapdoor: the projects 'packages/lib' load their own config files: their tests are not instrumented and get no deadlines unless those configs add plugins: [trapdoor()]");
  });
});

describe('concurrent tests, each held to its own timeout', () => {
  // On one thread the deadline is that of the test whose code runs: the stuck one fails with its
  // own timeout and place; one busy within its own longer timeout passes although another's
  // shorter timeout passes meanwhile (that one, which only waits, fails by Vitest's own timer).
  it('fails the stuck test with its own timeout, passes the busy one, and leaves the waiting one to Vitest', async () => {
    const dir = project('concurrent');
    const result = await trapdoorTest(dir, [], [VITEST, 'run']);
    expect(result.status, result.output).toBe(1);
    expect(statuses(result.report, dir), result.output).toEqual({
      'test/concurrent.test.js > concurrent spins after an await, under a short timeout of its own': 'failed',
      'test/concurrent.test.js > concurrent is busy for a while after an await, under its own longer timeout': 'passed',
      'test/concurrent.test.js > concurrent waits past its own shorter timeout': 'failed',
      'test/concurrent.test.js > concurrent waits briefly and passes': 'passed',
      'test/concurrent.test.js > runs after the concurrent ones': 'passed',
    });
    const stuck = failureOf(result.report, 'concurrent spins after an await, under a short timeout of its own');
    expect(stuck).toContain('Test timed out in 300ms.');
    expect(stuck).toContain(`trapdoor: stuck in a synchronous loop at test/concurrent.test.js:${lineOf('concurrent/test/concurrent.test.js', 'while (true)')}:3 (in spin)`);
    // Vitest's own timeout: its report keeps only the test's stack; its default reporter says it.
    expect(failureOf(result.report, 'concurrent waits past its own shorter timeout')).not.toContain('trapdoor: stuck');
    expect(result.output).toMatch(/FAIL {2}test\/concurrent\.test\.js > concurrent > waits past its own shorter timeout\n(?:.*\n)?Error: Test timed out in 700ms\./);
  });
});

describe("trapdoor-js/vitest in the project's config", () => {
  it.each([['forks'], ['threads']])('plain vitest run --pool=%s: the stuck test fails at its deadline (the plugin\'s timeout), the other passes', async (pool) => {
    const dir = project('plugin');
    const result = await run(dir, [VITEST, 'run', `--pool=${pool}`]);
    expect(result.output).not.toContain('[killed after');
    expect(result.status, result.output).toBe(1);
    expect(statuses(result.report, dir)).toEqual({ 'test/spin.test.js > stuck in a busy wait': 'failed', 'test/spin.test.js > passes': 'passed' });
    const failure = failureOf(result.report, 'stuck in a busy wait');
    expect(failure).toContain('Test timed out in 300ms.');
    expect(failure).toContain(`trapdoor: stuck in a synchronous loop at test/spin.test.js:${lineOf('plugin/test/spin.test.js', 'while (Date.now()')}:3`);
  });
});

describe('a project whose tests pass', () => {
  let dir: string;
  beforeAll(() => {
    dir = project('passing');
  });

  /** The report and the default reporter's lines, without times. */
  const comparable = (result: Run) => ({
    status: result.status,
    statuses: statuses(result.report, dir),
    lines: result.output
      .split('\n')
      .filter((line) => !/^\s*(Start at|Duration)\b/.test(line) && !line.includes('JSON report written'))
      .map((line) => line.replace(/\s\d+ms\b/g, '').trimEnd())
      .filter((line) => line !== '')
      // Files run in parallel: they are reported in the order they end.
      .sort(),
  });

  it('gives the results, output and exit status of plain vitest run', async () => {
    const plain = await run(dir, [VITEST, 'run']);
    const trapped = await trapdoorTest(dir, [], [VITEST, 'run']);
    expect(plain.status, plain.output).toBe(0);
    expect(Object.keys(statuses(plain.report, dir))).toHaveLength(5);
    expect(comparable(trapped)).toEqual(comparable(plain));
  });

  it('marks the checks for coverage (coverage hints) only when coverage is on', async () => {
    // What the plugin instrumented, from trapdoor's disk cache (a fresh one per run): its entries hold the code.
    const hinted = async (args: string[]) => {
      const cacheDir = mkdtempSync(join(work, 'hints-cache-'));
      const result = await trapdoorTest(dir, [], [VITEST, 'run', ...args], true, { TRAPDOOR_CACHE_DIR: cacheDir });
      expect(result.status, result.output).toBe(0);
      const files = readdirSync(cacheDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      const modules = files.map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8')).filter((text) => text.includes('/*trapdoor:2*/'));
      expect(modules.length).toBeGreaterThan(0);
      return modules.map((text) => text.includes('/* istanbul ignore next */'));
    };
    expect(new Set(await hinted([]))).toEqual(new Set([false]));
    // --coverage on the command line (the config has none): Vitest's resolved config says so.
    expect(new Set(await hinted(['--coverage.enabled', '--coverage.reporter=json', '--coverage.reportsDirectory=coverage-hints']))).toEqual(new Set([true]));
  });

  it.each(['runner', 'native'])('with --configLoader %s too (the project config loaded by that loader)', async (loader) => {
    const plain = await run(dir, [VITEST, 'run', `--configLoader=${loader}`]);
    const trapped = await trapdoorTest(dir, [], [VITEST, 'run', `--configLoader=${loader}`]);
    expect(plain.status, plain.output).toBe(0);
    expect(comparable(trapped)).toEqual(comparable(plain));
  });

  // What coverage reports per file, as without trapdoor: every statement and branch (where it
  // starts, its hit counts), the functions' hit counts, the lines with a hit and the lines whose
  // statements all missed. The plugin marks the inserted checks and the runtime bindings with
  // `/* istanbul ignore next */` (the transform's coverageHints), which both providers honour.
  // Not compared: where statements end and where a function's name is (map resolution: the plain
  // run's maps end some statements at the line's end; v8 places the name of a function on the
  // header's line 4 columns off).
  it.each(['v8', 'istanbul'])('keeps %s coverage as without trapdoor: the same statements, branches, functions and lines', async (provider) => {
    const coverage = (name: string) => [`--coverage.enabled`, `--coverage.provider=${provider}`, '--coverage.reporter=json', `--coverage.reportsDirectory=${name}`];
    const plain = await run(dir, [VITEST, 'run', ...coverage('coverage-plain')]);
    const trapped = await trapdoorTest(dir, [], [VITEST, 'run', ...coverage('coverage-trapdoor')]);
    expect(plain.status, plain.output).toBe(0);
    expect(trapped.status, trapped.output).toBe(0);
    type Start = { start: { line: number; column: number } };
    type FileCoverage = { s: Record<string, number>; b: Record<string, number[]>; f: Record<string, number>; statementMap: Record<string, Start>; branchMap: Record<string, { type: string; loc: Start }> };
    const read = (name: string) => {
      const report = JSON.parse(readFileSync(join(dir, name, 'coverage-final.json'), 'utf8')) as Record<string, FileCoverage>;
      return Object.fromEntries(
        Object.entries(report).map(([file, data]) => {
          const lines = new Map<number, number>();
          for (const [id, count] of Object.entries(data.s)) {
            const line = data.statementMap[id]!.start.line;
            lines.set(line, Math.max(lines.get(line) ?? 0, count));
          }
          const sorted = [...lines].sort(([a], [b]) => a - b);
          const at = ({ start }: Start) => `${start.line}:${start.column}`;
          return [
            file.slice(dir.length + 1),
            {
              statements: Object.entries(data.s).map(([id, count]) => [at(data.statementMap[id]!), count]),
              branches: Object.entries(data.b).map(([id, counts]) => [data.branchMap[id]!.type, at(data.branchMap[id]!.loc), counts]),
              functions: Object.values(data.f),
              hit: sorted.filter(([, n]) => n > 0).map(([l]) => l),
              missed: sorted.filter(([, n]) => n === 0).map(([l]) => l),
            },
          ];
        }),
      );
    };
    const plainReport = read('coverage-plain');
    expect(Object.keys(plainReport).sort()).toEqual(['src/math.js', 'src/text.ts']);
    // The fixture has what the checks could add to: loops (braced or not), function entries, an
    // arrow's expression body (JavaScript and TypeScript), a method; some never run.
    expect(plainReport['src/math.js']!.missed).toEqual(["return 'never called'", 'let n = 0', 'while (n < limit)', 'return n;'].map((text) => lineOf('passing/src/math.js', text)));
    expect(plainReport['src/math.js']!.branches.length).toBeGreaterThan(0);
    const trappedReport = read('coverage-trapdoor');
    expect(trappedReport).toEqual(plainReport);
  });
});

describe('installed from packed tarballs with pnpm (strict: a package sees only what it declares)', () => {
  // The project declares vitest and trapdoor-js only: trapdoor's runner must import the Vitest that
  // runs, and instrumented code the runtime, without the project depending on either.
  let dir: string;
  beforeAll(async () => {
    dir = join(mkdtempSync(join(work, 'pnpm-')), 'project');
    cpSync(join(FIXTURES, 'stuck'), dir, { recursive: true });
    const packs = join(dir, '..', 'tarballs');
    mkdirSync(packs);
    const tarballs: Record<string, string> = {};
    for (const name of ['transform', 'runtime', 'native', 'trapdoor']) {
      // --ignore-scripts: the packages are built (npm test builds first); the addon's prebuild is not needed for deadlines.
      const packed = await run(join(repoRoot, 'packages', name), ['npm', 'pack', '--json', '--ignore-scripts', '--pack-destination', packs], { json: false });
      expect(packed.status, packed.output).toBe(0);
      tarballs[name] = join(packs, (JSON.parse(packed.output.slice(packed.output.indexOf('['))) as Array<{ filename: string }>)[0]!.filename);
    }
    // Until the packages are published, overrides point trapdoor-js's own dependencies at the tarballs.
    // The addon's install script is declined (deadlines need no addon), as pnpm asks every project to decide.
    const yaml = [
      'allowBuilds:',
      `  '@trapdoor-js/native@file:${relative(dir, tarballs.native!)}': false`,
      'overrides:',
      ...['runtime', 'transform', 'native'].map((name) => `  '@trapdoor-js/${name}': 'file:${tarballs[name]}'`),
      '',
    ].join('\n');
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), yaml);
    const vitestVersion = (JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'vitest', 'package.json'), 'utf8')) as { version: string }).version;
    const installed = await run(dir, [join(repoRoot, 'node_modules', '.bin', 'pnpm'), 'add', '--prefer-offline', '-D', `vitest@${vitestVersion}`, tarballs.trapdoor!], { json: false });
    expect(installed.status, installed.output).toBe(0);
  }, 240_000);

  it.each(['forks', 'threads'])("trapdoor test -- vitest run --pool=%s: the stuck tests fail where they were stuck, the rest pass", async (pool) => {
    const result = await run(dir, [join(dir, 'node_modules', '.bin', 'trapdoor'), 'test', '--', VITEST, 'run', `--pool=${pool}`]);
    expect(result.output).not.toContain('[killed after');
    expect(result.status, result.output).toBe(1);
    expect(result.report?.numPassedTests, result.output).toBe(PASSING_COUNT);
    for (const stuck of Object.values(STUCK)) expect(failureOf(result.report, stuck.name)).toContain(`trapdoor: stuck in a synchronous loop at ${stuck.at()}`);
  });
});

describe('trapdoor test: bad command lines', () => {
  const cli = (args: string[]) => run(work, [process.execPath, TRAPDOOR, 'test', ...args], { json: false });

  it.each([
    [[], "missing the test command after '--'"],
    [['--'], "missing the test command after '--'"],
    [['--timeout', 'soon', '--', 'vitest'], "option '--timeout' must be a number of milliseconds (1 to 2147483647), not 'soon'"],
    [['--timeout', '0', '--', 'vitest'], "option '--timeout' must be a number of milliseconds"],
    [['--timeout'], "option '--timeout' needs a value"],
    [['--include=', '--', 'vitest'], "option '--include' needs a glob"],
    [['--watch', '--', 'vitest'], "unknown option '--watch' (the test command goes after '--')"],
    [['--', 'mocha', 'test/'], "no supported test runner runs 'mocha test/': supported are "],
  ])('%j: one line naming the problem, a pointer to --help, exit status 2', async (args, message) => {
    const result = await cli(args);
    expect(result.status, result.output).toBe(2);
    expect(result.output).toContain(`trapdoor test: ${message}`);
    expect(result.output).toContain("Run 'trapdoor test --help' for usage.");
    expect(result.output).not.toMatch(/\n\s+at /); // no stack
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await cli(['--help']);
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/^Usage: trapdoor test \[options\] -- <test command>/);
  });

  it('vitest --config naming a missing file: one error, exit status 2', async () => {
    const dir = project('passing');
    const result = await run(dir, [process.execPath, TRAPDOOR, 'test', '--', VITEST, 'run', '--config', 'nope.config.ts'], { json: false });
    expect(result.status, result.output).toBe(2);
    expect(result.output).toContain('trapdoor test: no such file: nope.config.ts (vitest --config)');
  });

  it("a Vitest that throws as it loads (run in trapdoor's own process): its error with its stack and exit status 1, as Node gives them, not an internal error", async () => {
    const dir = mkdtempSync(join(work, 'broken-vitest-'));
    const vitest = join(dir, 'node_modules', 'vitest');
    mkdirSync(vitest, { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules', 'vite'), join(dir, 'node_modules', 'vite'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "name": "broken" }\n');
    writeFileSync(join(vitest, 'package.json'), '{ "name": "vitest", "version": "4.1.0", "type": "module" }\n');
    writeFileSync(join(vitest, 'vitest.mjs'), "throw new Error('this vitest is broken');\n");
    const result = await run(dir, [process.execPath, TRAPDOOR, 'test', '--', process.execPath, join('node_modules', 'vitest', 'vitest.mjs'), 'run'], { json: false });
    expect(result.status, result.output).toBe(1);
    expect(result.output).toContain('Error: this vitest is broken');
    expect(result.output).toContain(`at ${pathToFileURL(join(vitest, 'vitest.mjs')).href}:1:`);
    expect(result.output).not.toContain('internal error');
  });
});

describe('the disk cache of instrumented modules (trapdoor-js/vitest sets the adapter\'s cache option)', () => {
  /** The cache's log (TRAPDOOR_DEBUG_CACHE) of one run: each module the adapter looked up, by its path relative to the project, as hit or miss. */
  const lookups = (log: string, dir: string): Record<string, string> => {
    const found: Record<string, string> = {};
    for (const line of existsSync(log) ? readFileSync(log, 'utf8').split('\n') : []) {
      const match = /^adapter (hit|miss) (.*)$/.exec(line);
      if (match) found[relative(dir, match[2]!)] = match[1]!;
    }
    rmSync(log, { force: true });
    return found;
  };

  it('instruments each module once: the next run takes them all from the cache and fails the stuck tests where they were stuck, as the first did; a changed file is instrumented again', async () => {
    const dir = project('stuck');
    const log = join(dir, '..', `${relative(work, dir)}-cache.log`);
    const env = { TRAPDOOR_CACHE_DIR: join(dir, '..', `${relative(work, dir)}-cache`), TRAPDOOR_DEBUG_CACHE: log };
    const expected = {
      ...PASSING_IN_STUCK,
      ...Object.fromEntries(Object.values(STUCK).map((stuck) => [`${stuck.file} > ${stuck.name}`, 'failed'])),
    };
    const places = (result: Run) => Object.values(STUCK).map((stuck) => /stuck in a synchronous loop at (\S+)/.exec(failureOf(result.report, stuck.name))?.[1]);

    const first = await trapdoorTest(dir, [], [VITEST, 'run'], true, env);
    expect(statuses(first.report, dir), first.output).toEqual(expected);
    const cold = lookups(log, dir);
    // The project's sources and tests (not node_modules, not trapdoor's runner), each looked up and missed.
    expect(cold['src/spin.ts'], JSON.stringify(cold)).toBe('miss');
    expect(cold['test/while.test.ts'], JSON.stringify(cold)).toBe('miss');
    expect(Object.keys(cold).filter((file) => file.startsWith('..') || file.includes('node_modules')), JSON.stringify(cold)).toEqual([]);
    expect(new Set(Object.values(cold))).toEqual(new Set(['miss']));

    const second = await trapdoorTest(dir, [], [VITEST, 'run'], true, env);
    const warm = lookups(log, dir);
    expect(warm).toEqual(Object.fromEntries(Object.keys(cold).map((file) => [file, 'hit'])));
    // Served from the cache, the code still has its checks and its maps: the same failures at the same places.
    expect(statuses(second.report, dir), second.output).toEqual(expected);
    expect(places(second)).toEqual(Object.values(STUCK).map((stuck) => stuck.at()));
    expect(places(second)).toEqual(places(first));

    // A changed file (a line added above the loop) is instrumented again, and its stuck place moves with it.
    const spin = join(dir, 'src', 'spin.ts');
    writeFileSync(spin, `// a comment that moves every line down\n${readFileSync(spin, 'utf8')}`);
    const third = await trapdoorTest(dir, [], [VITEST, 'run'], true, env);
    const changed = lookups(log, dir);
    expect(changed).toEqual({ ...Object.fromEntries(Object.keys(cold).map((file) => [file, 'hit'])), 'src/spin.ts': 'miss' });
    const [line, column] = STUCK.some.at().split(':').slice(1).map(Number);
    expect(failureOf(third.report, STUCK.some.name), third.output).toContain(`stuck in a synchronous loop at src/spin.ts:${line! + 1}:${column}`);
  });

  // trapdoor test leaves experimental.fsModuleCache as the project has it (Vitest's docs: its key
  // cannot see other plugins' options, so turning it on could serve a project's plugins stale
  // modules); a project that has it on gets modules with their checks from it.
  it("with the project's own experimental.fsModuleCache: a plain run's modules are not served to trapdoor test, and modules served from Vitest's cache keep their checks", async () => {
    const dir = project('stuck');
    const log = join(dir, '..', `${relative(work, dir)}-cache.log`);
    const env = { TRAPDOOR_CACHE_DIR: join(dir, '..', `${relative(work, dir)}-cache`), TRAPDOOR_DEBUG_CACHE: log };
    const vitestCache = [`--experimental.fsModuleCache`, `--experimental.fsModuleCachePath=${join(dir, '..', `${relative(work, dir)}-vitest-cache`)}`];
    // `vitest list` imports every test file and what it imports (plain: no checks) without running a test.
    const listed = await run(dir, [VITEST, 'list', ...vitestCache], { json: false });
    expect(listed.status, listed.output).toBe(0);
    const places = (result: Run) => Object.values(STUCK).map((stuck) => /stuck in a synchronous loop at (\S+)/.exec(failureOf(result.report, stuck.name))?.[1]);
    const expected = Object.values(STUCK).map((stuck) => stuck.at());
    const first = await trapdoorTest(dir, [], [VITEST, 'run', ...vitestCache], true, env);
    expect(places(first), first.output).toEqual(expected);
    expect(Object.keys(lookups(log, dir)), first.output).toContain('src/spin.ts');
    const second = await trapdoorTest(dir, [], [VITEST, 'run', ...vitestCache], true, env);
    expect(places(second), second.output).toEqual(expected);
    // Served by Vitest's cache: the adapter did not see src/spin.ts at all this time.
    expect(Object.keys(lookups(log, dir))).not.toContain('src/spin.ts');
  });
});
