/**
 * `trapdoor test -- jest …` on a Jest 30 project of ES modules (`"type": "module"`, run with
 * NODE_OPTIONS=--experimental-vm-modules, `transform: {}`) whose setupFiles entry is an ES module
 * with a loop and calls (test/test-runners/jest/stuck-esm-setup). The setup file runs in each test
 * file's sandbox before trapdoor's runner publishes the worker's runtime, so the ES module bridge
 * (jest-runtime-esm.mts) first binds the sandbox's own copy; every later module of the file must
 * still end up on the worker's runtime, whose deadline is armed (bound once, every stuck test spun
 * until the run was killed). Stuck tests in the test file, in an imported module, in a function the
 * setup file defined, in a busy wait on Date.now() and in an Array.prototype.some callback fail with
 * jest-circus's timeout message and their original file:line:column; the others pass; the run
 * ends by itself with exit status 1. Under `trapdoor test` (whose runtime class publishes the worker's
 * runtime before setupFiles run) and in the config form (trapdoor-js/jest and trapdoor-js/jest/runner
 * in package.json, plain jest), where the bridge binds the sandbox's copy first and is rebound when
 * the runner publishes the worker's (killed at RUN_LIMIT_MS before that).
 *
 * The run is killed after RUN_LIMIT_MS so that a regression (a hang) fails the test instead of the
 * suite; nothing asserts on time.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';
import { runToEnd, userEnv, type Finished } from './helpers/test-run.js';

const FIXTURE = fileURLToPath(new URL('./test-runners/jest/stuck-esm-setup/', import.meta.url));
const TRAPDOOR = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const JEST = join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js');
/** A run that takes longer has hung: it is killed and its test fails. */
const RUN_LIMIT_MS = 90_000;
const TIMEOUT_TEXT = 'Add a timeout value to this test to increase the timeout, if this is a long-running test. See https://jestjs.io/docs/api#testname-fn-timeout.';

interface JsonReport {
  numFailedTests: number;
  numPassedTests: number;
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
}

let work: string;
let dir: string;
let result: Finished & { report?: JsonReport };

/** `file:line:column` (1-based) of the first occurrence of `text` in a fixture file. */
function at(file: string, text: string): string {
  const lines = readFileSync(join(FIXTURE, file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${file}`);
  return `${file}:${index + 1}:${lines[index]!.indexOf(text) + 1}`;
}

function failureOf(fullName: string): string {
  for (const file of result.report?.testResults ?? []) {
    for (const test of file.assertionResults) if (test.fullName === fullName) return test.failureMessages.join('\n');
  }
  return `(no test named ${fullName})`;
}

const stuckAt = (timeout: number, where: string) => `Exceeded timeout of ${timeout} ms for a test.\n${TIMEOUT_TEXT}\ntrapdoor: stuck in a synchronous loop at ${where}`;

/** The fixture copied to `name`, Jest run in it (under `trapdoor test` or plain) to its end, its JSON report read back. */
async function run(name: string, underTrapdoor: boolean, edit: (dir: string) => void = () => {}): Promise<void> {
  dir = join(work, name);
  cpSync(FIXTURE, dir, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  edit(dir);
  const reportFile = join(dir, 'report.json');
  const jest = [process.execPath, JEST, '--ci', `--cacheDirectory=${join(dir, 'cache')}`, '--json', `--outputFile=${reportFile}`];
  const argv = underTrapdoor ? [process.execPath, TRAPDOOR, 'test', '--', ...jest] : jest;
  const finished = await runToEnd(argv, { cwd: dir, env: userEnv({ NODE_OPTIONS: '--experimental-vm-modules --no-warnings' }), limitMs: RUN_LIMIT_MS });
  result = { ...finished, report: existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport) : undefined };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-e2e-jest-esm-setup-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each([
  ['trapdoor test', true, () => {}],
  // trapdoor-js/jest and trapdoor-js/jest/runner in the project's config, plain jest: no runtime
  // class of trapdoor's publishes the worker's runtime before the setup file runs, so the ES module
  // bridge binds the sandbox's copy first and is rebound when the runner publishes it.
  [
    'the config form (plain jest)',
    false,
    (dir: string) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { jest: Record<string, unknown> };
      manifest.jest = { ...manifest.jest, transform: { '\\.js$': ['trapdoor-js/jest', { transformer: null }] }, testRunner: 'trapdoor-js/jest/runner' };
      writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    },
  ],
] as const)('Jest ES modules with an ES module setup file that has a loop and calls, %s', (name, underTrapdoor, edit) => {
  beforeAll(async () => {
    await run(name.replace(/\W+/g, '-'), underTrapdoor, edit);
  }, RUN_LIMIT_MS + 10_000);

  it('ends by itself with a failing status', () => {
    expect(result.signal, result.output).toBe(null);
    expect(result.output).not.toContain('[killed after');
    expect(result.status, result.output).toBe(1);
  });

  it('fails each stuck test and passes every other one, in the same and other files', () => {
    const statuses: Record<string, string> = {};
    for (const file of result.report?.testResults ?? []) {
      for (const test of file.assertionResults) statuses[`${file.name.slice(dir.length + 1)} > ${test.fullName}`] = test.status;
    }
    expect(statuses, result.output).toEqual({
      'src/math.test.js > passes before': 'passed',
      'src/math.test.js > spins in an ES module': 'failed',
      'src/math.test.js > spins in a function of the setup file': 'failed',
      'src/math.test.js > passes after, the setup file having run': 'passed',
      'src/wait.test.js > a short busy wait passes': 'passed',
      'src/wait.test.js > busy-waits on Date.now() past its own timeout': 'failed',
      'src/wait.test.js > loops inside an Array.prototype.some callback': 'failed',
      'src/ok.test.js > passes in another file': 'passed',
    });
  });

  it('names the original file:line:column of each stuck loop, with jest-circus’s message and the test’s own timeout', () => {
    const spin = failureOf('spins in an ES module');
    expect(spin).toContain(`${stuckAt(400, at('src/math.js', 'while (true)'))} (in spin)`);
    // The stack in original positions: the loop, then the test's call of it.
    expect(spin).toContain(`at spin (${join(dir, at('src/math.js', 'while (true)'))})`);
    expect(spin).toContain(`${join(dir, 'src/math.test.js')}:${at('src/math.test.js', 'spin(100)').split(':')[1]}:`);
    expect(spin).toMatch(/locals: limit = 100, i = \d+/);
    expect(failureOf('spins in a function of the setup file')).toContain(`${stuckAt(400, at('setup.js', 'while (true)'))} (in spinInSetup)`);
    expect(failureOf('busy-waits on Date.now() past its own timeout')).toContain(`${stuckAt(300, at('src/wait.test.js', 'while (Date.now()'))} (in busyWait)`);
    expect(failureOf('loops inside an Array.prototype.some callback')).toContain(stuckAt(400, at('src/wait.test.js', 'for (;;)')));
  });

  it('reports in Jest’s own summary', () => {
    expect(result.output).toMatch(/Tests: +4 failed, 4 passed, 8 total/);
  });
});
