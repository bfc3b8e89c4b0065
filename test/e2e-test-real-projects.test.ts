/**
 * Real projects' own test suites (test/real-projects: unjs/ufo under Vitest 4, commander v14.0.2
 * under Jest 30 + ts-jest with coverage on) pass unchanged under `trapdoor test`: each is copied to
 * a folder outside the repository with node_modules linked to the repository's, run plain and
 * under `trapdoor test --timeout 3000 -- <its command>` with one more test file, stuck in a
 * synchronous loop that calls into the project's sources, both with the runner's JSON report. The
 * reports must list the same tests with the same outcome (every one passed), and the added test
 * must fail with the place it was stuck: the project's own tests are unchanged by trapdoor, and
 * the stuck one no longer hangs the run.
 *
 * Each run is killed after RUN_LIMIT_MS so that a hang fails the test instead of the suite;
 * nothing asserts on time (bench/tests.mjs measures it).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';
import { runToEnd, userEnv } from './helpers/test-run.js';

const TRAPDOOR = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const RUN_LIMIT_MS = 240_000;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-real-projects-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function project(name: string, copy: string): string {
  const dir = join(work, copy);
  cpSync(join(repoRoot, 'test', 'real-projects', name), dir, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function run(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
  return runToEnd(argv, { cwd, env: userEnv(env, { plainOutput: false }), limitMs: RUN_LIMIT_MS });
}

interface Report {
  numFailedTests: number;
  numPassedTests: number;
  numTotalTests: number;
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }> }>;
}

/** Test name → status, with file paths relative to the project (the two runs use different folders). */
function outcomes(report: Report, dir: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const file of report.testResults) {
    const name = file.name.startsWith(dir) ? file.name.slice(dir.length + 1) : file.name;
    for (const test of file.assertionResults) map.set(`${name} > ${test.fullName}`, test.status);
  }
  return map;
}

/** Jest's summary ("Tests: 1 failed, 1367 passed, 1368 total") and the names of its failed tests ("● suite › test"). */
function jestSummary(output: string): { failed: number; passed: number; total: number; failures: string[] } {
  const line = /^Tests:\s+(.*)$/m.exec(output)?.[1] ?? '';
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  const failures = [...output.matchAll(/^\s+● (.+)$/gm)].map((match) => match[1]!.trim());
  return { failed: count('failed'), passed: count('passed'), total: count('total'), failures: [...new Set(failures)] };
}

const STUCK_LINE = 6;

describe('ufo (Vitest): its own suite under trapdoor test', () => {
  it('passes unchanged, and a stuck test added to it fails with its place instead of hanging the run', async () => {
    const command = ['node', 'node_modules/vitest/vitest.mjs', 'run'];
    const plainDir = project('ufo', 'ufo-plain');
    const plain = await run([...command, '--reporter=json', `--outputFile=${join(work, 'ufo-plain.json')}`], plainDir);
    expect(plain.status, plain.output).toBe(0);
    const plainReport = JSON.parse(readFileSync(join(work, 'ufo-plain.json'), 'utf8')) as Report;
    expect(plainReport.numFailedTests).toBe(0);
    expect(plainReport.numPassedTests).toBeGreaterThan(100);

    const dir = project('ufo', 'ufo-trapdoor');
    writeFileSync(
      join(dir, 'test', 'zz-stuck.test.ts'),
      "import { expect, test } from 'vitest';\nimport { parseURL } from '../src';\nfunction spin(step: number): number {\n  let n = 0;\n  while (n >= 0) n += step;\n  return n;\n}\ntest('spins', () => {\n  expect(spin(parseURL('http://a/b').pathname.length)).toBe(0);\n});\n",
    );
    const instrumented = await run(['node', TRAPDOOR, 'test', '--timeout', '3000', '--', ...command, '--reporter=json', `--outputFile=${join(work, 'ufo-trapdoor.json')}`], dir, {
      TRAPDOOR_CACHE_DIR: join(work, 'cache'),
    });
    expect(instrumented.status, instrumented.output).toBe(1);
    const report = JSON.parse(readFileSync(join(work, 'ufo-trapdoor.json'), 'utf8')) as Report;
    expect(report.numFailedTests).toBe(1);
    expect(report.numTotalTests).toBe(plainReport.numTotalTests + 1);
    const results = outcomes(report, dir);
    expect(results.get('test/zz-stuck.test.ts > spins')).toBe('failed');
    results.delete('test/zz-stuck.test.ts > spins');
    expect(results).toEqual(outcomes(plainReport, plainDir));
    const failure = report.testResults.find((file) => file.name.endsWith('zz-stuck.test.ts'))!.assertionResults[0]!.failureMessages.join('\n');
    expect(failure).toMatch(/stuck in a synchronous loop at [^\n]*zz-stuck\.test\.ts:5:\d+ \(in spin\)/);
    // The caller, at its line and column in the test file (Vitest's maps, through Vite's pipeline).
    expect(failure).toMatch(/zz-stuck\.test\.ts:9:10\)?$/m);
  }, 400_000);
});

// commander's own tests read process.argv (command.parse.test.js), so no reporter flag is added:
// the comparison is of Jest's summary and its list of failed tests.
describe('commander (Jest + ts-jest, coverage on): its own suite under trapdoor test', () => {
  it('passes unchanged, and a stuck test added to it fails with its place instead of hanging the run', async () => {
    const command = ['node', 'node_modules/jest/bin/jest.js'];
    const plain = await run(command, project('commander', 'commander-plain'));
    expect(plain.status, plain.output).toBe(0);
    const plainSummary = jestSummary(plain.output);
    expect(plainSummary.failed).toBe(0);
    expect(plainSummary.passed).toBeGreaterThan(1000);
    expect(plain.output).toMatch(/All files\s+\|/); // its coverage table

    const dir = project('commander', 'commander-trapdoor');
    writeFileSync(
      join(dir, 'tests', 'zz-stuck.test.js'),
      "const { Command } = require('../');\nconst program = new Command('spin');\ntest('spins', () => {\n  let n = 0;\n  const name = program.name();\n  while (n >= 0) n += name.length;\n  expect(n).toBe(0);\n});\n",
    );
    const instrumented = await run(['node', TRAPDOOR, 'test', '--timeout', '3000', '--', ...command], dir, { TRAPDOOR_CACHE_DIR: join(work, 'cache') });
    expect(instrumented.status, instrumented.output).toBe(1);
    const summary = jestSummary(instrumented.output);
    expect(summary).toEqual({ failed: 1, passed: plainSummary.passed, total: plainSummary.total + 1, failures: ['spins'] });
    expect(instrumented.output).toMatch(new RegExp(`stuck in a synchronous loop at [^\\n]*zz-stuck\\.test\\.js:${STUCK_LINE}:`));
    expect(instrumented.output).toMatch(/All files\s+\|/); // coverage still reported
  }, 400_000);
});

// Jest's v8 coverage on commander's own code: its config with coverageProvider 'v8' (written
// into the copy; the project ships the babel provider), the help tests that reach its loops
// (help.js's loop over a command's ancestors, whose range V8 merges with what follows it), in
// one worker so that the counts do not depend on which files share one.
describe('commander with coverageProvider v8: its coverage under trapdoor test', () => {
  it('reports the plain run’s statements, branches and functions (places and counts) for lib/', async () => {
    const tests = ['tests/help.visibleGlobalOptions.test.js', 'tests/help.showGlobalOptions.test.js', 'tests/help.padWidth.test.js', 'tests/command.help.test.js', 'tests/options.bool.test.js'];
    type Loc = { start: { line: number; column: number }; end: { line: number; column: number } };
    type FileCoverage = { s: Record<string, number>; b: Record<string, number[]>; f: Record<string, number>; statementMap: Record<string, Loc>; branchMap: Record<string, { loc: Loc }>; fnMap: Record<string, { loc: Loc }> };
    const coverageOf = async (copy: string, prefix: string[]) => {
      const dir = project('commander', copy);
      const config = readFileSync(join(dir, 'jest.config.js'), 'utf8');
      expect(config).toContain('collectCoverage: true,');
      writeFileSync(join(dir, 'jest.config.js'), config.replace('collectCoverage: true,', "collectCoverage: true,\n  coverageProvider: 'v8',\n  coverageReporters: ['json', 'text-summary'],"));
      const result = await run([...prefix, 'node', 'node_modules/jest/bin/jest.js', '--runInBand', ...tests], dir, { TRAPDOOR_CACHE_DIR: join(work, 'cache') });
      expect(result.status, result.output).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, 'coverage', 'coverage-final.json'), 'utf8')) as Record<string, FileCoverage>;
      return Object.fromEntries(Object.entries(report).map(([file, data]) => [file.slice(dir.length + 1), { s: data.s, statementMap: data.statementMap, b: data.b, branchMap: data.branchMap, f: data.f, fnMap: data.fnMap }]));
    };
    const plain = await coverageOf('commander-v8-plain', []);
    const trapped = await coverageOf('commander-v8-trapdoor', ['node', TRAPDOOR, 'test', '--']);
    expect(Object.keys(plain)).toContain('lib/help.js');
    expect(Object.keys(plain['lib/help.js']!.b).length).toBeGreaterThan(50);
    expect(trapped).toEqual(plain);
  }, 400_000);
});
