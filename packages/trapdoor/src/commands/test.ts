/**
 * `trapdoor test [options] -- <test command…>`: runs a project's tests as its own command runs
 * them, with trapdoor in: the project's sources and tests are instrumented as the runner loads
 * them and each test gets a deadline, so a test stuck in a synchronous loop (which no runner's
 * own timer can stop: it runs on the spinning thread) fails with the place it was stuck, and the
 * run goes on. Each supported runner (../test-runners) says how, without editing the project.
 */
import { pathToFileURL } from 'node:url';
import { CliError } from '../errors.js';
import { runChild } from '../run/spawn.js';
import type { TestRunner } from '../test-runners/runner.js';
import { vitest } from '../test-runners/vitest.js';
import { jest } from '../test-runners/jest.js';
import { nodeTest } from '../test-runners/node-test.js';
import { bunTest } from '../test-runners/bun-test.js';

/** The runners, in the order they are tried: the first whose `matches` accepts the command runs it. */
const RUNNERS: readonly TestRunner[] = [
  vitest,
  jest,
  nodeTest,
  bunTest,
];

export const TEST_USAGE = `Usage: trapdoor test [options] -- <test command> [args...]

Runs the project's tests with its own command, unchanged except that a test stuck in a
synchronous loop (while (true) {}, a busy wait) fails at its timeout like a slow test, with the
file, line and column where it was stuck and the locals there, and the run goes on. The
project's sources and tests are instrumented as the runner loads them (node_modules is not); its
configuration is kept and not edited.

Supported runners:
  vitest     'vitest', 'vitest run', 'npx vitest run --pool=threads', 'node_modules/.bin/vitest',
             'npm test' / 'npm run <script>' when the script is one plain 'vitest ...' command
             (forks and threads pools; watch mode too): the project's vitest.config /
             vite.config (or --config) is loaded as Vitest loads it, with trapdoor's Vitest
             plugin added; inline test.projects get it too, projects with their own config
             files need it in those (trapdoor says which)
  jest       'jest', 'npx jest', 'node_modules/.bin/jest', a package script that runs jest
             (babel-jest and ts-jest projects): through Jest's own transformer chain and runner
  node:test  'node --test [files]': the Node loader and a per-test hook, through NODE_OPTIONS
  bun test   'bun test [files]', named as such (Bun takes no preload from the environment)

Options:
  --timeout <ms>     the deadline of every test, instead of its own timeout as the runner
                     defines it (the test's timeout argument, else Vitest's or Jest's
                     testTimeout, node:test's --test-timeout, bun test's --timeout)
  --include <glob>   instrument only files matching <glob>, relative to the working directory
                     (repeatable); files under node_modules only when a glob matches them
  --exclude <glob>   do not instrument files matching <glob> (repeatable)
  -h, --help         show this help

The deadline fails a test only while it runs instrumented code: a test that waits (an await that
never settles) times out by the runner's own timer, as always. While a test hangs, before its
deadline, 'trapdoor attach <pid>' (the test worker's pid) opens a debugger on it; the deadline
waits while a debugger is attached.

For configuration instead of this command: Vitest: plugins: [trapdoor()] in vitest.config, with
'import trapdoor from "trapdoor-js/vitest"'; Jest: the trapdoor-js/jest transformer and
trapdoor-js/jest/runner; node --test: --import trapdoor-js/register --import trapdoor-js/node-test;
bun test: --preload trapdoor-js/register --preload trapdoor-js/bun-test.

Exit status: the test command's; 128+N when signal N ended it; 2 for a bad command line or a
command no supported runner runs.
`;

export interface TestArgs {
  timeout?: number;
  include: string[];
  exclude: string[];
  command: string[];
}

const VALUED = new Set(['--timeout', '--include', '--exclude']);

export async function testCommand(argv: string[]): Promise<number> {
  const parsed = parseTestArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(TEST_USAGE);
    return 0;
  }
  const runner = runnerFor(parsed.command);
  const cwd = process.cwd();
  const prepared = await runner.prepare(parsed.command, { timeout: parsed.timeout, include: parsed.include, exclude: parsed.exclude, cwd });
  if (prepared.inProcess !== undefined && Object.keys(prepared.env).length === 0) return runInProcess(prepared.inProcess, prepared.cleanup);
  const [executable, ...args] = prepared.command;
  try {
    return await runChild({ executable: executable!, args }, { ...process.env, ...prepared.env });
  } finally {
    prepared.cleanup?.();
  }
}

/**
 * The runner's script in this process, as `node <script> <args…>` would run it: its arguments in
 * `process.argv`, its own exit (its `process.exitCode`, `process.exit`, a signal) ends the run, so
 * this never resolves; the cleanup runs at the process's exit. A script that throws as it loads
 * (a broken install, a Node the runner does not support) is reported as Node reports it, with its
 * stack and status 1, not as an error of trapdoor's.
 */
async function runInProcess({ script, args }: { script: string; args: string[] }, cleanup: (() => void) | undefined): Promise<number> {
  if (cleanup !== undefined) process.once('exit', cleanup);
  process.argv = [process.argv[0]!, script, ...args];
  try {
    await import(pathToFileURL(script).href);
  } catch (error) {
    process.stderr.write(`${(error as Error | undefined)?.stack ?? String(error)}\n`);
    return 1;
  }
  return new Promise<number>(() => {});
}

/** The runner for `command`, or a usage error that lists what is supported. */
export function runnerFor(command: readonly string[]): TestRunner {
  const runner = RUNNERS.find((candidate) => candidate.matches(command));
  if (runner !== undefined) return runner;
  throw usage(
    `no supported test runner runs '${command.join(' ')}': supported are ${RUNNERS.map((r) => r.name).join(', ')}, started by their own ` +
      `command (e.g. 'trapdoor test -- npx vitest run'); or set trapdoor up in the runner's config instead (see 'trapdoor test --help')`,
  );
}

function usage(message: string): CliError {
  return new CliError('ERR_TRAPDOOR_USAGE', message, { usage: TEST_USAGE });
}

/**
 * trapdoor's options up to `--` (or up to the first word that is not one of them); everything
 * after is the test command, passed on as it is.
 */
export function parseTestArgs(argv: string[]): TestArgs | 'help' {
  const result: TestArgs = { include: [], exclude: [], command: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') return 'help';
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!VALUED.has(name)) throw usage(`unknown option '${name}' (the test command goes after '--')`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw usage(`option '${name}' needs a value`);
    setOption(result, name, value);
  }
  result.command = argv.slice(i);
  if (result.command.length === 0) throw usage("missing the test command after '--', e.g. 'trapdoor test -- npx vitest run'");
  return result;
}

function setOption(result: TestArgs, name: string, value: string): void {
  switch (name) {
    case '--timeout': {
      // Whole milliseconds, as every runner takes its timeout; 0 or a fraction is most likely a mistake.
      if (!/^\d+$/.test(value) || Number(value) === 0 || Number(value) > 2 ** 31 - 1) {
        throw usage(`option '--timeout' must be a number of milliseconds (1 to ${2 ** 31 - 1}), not '${value}'`);
      }
      result.timeout = Number(value);
      return;
    }
    case '--include':
    case '--exclude':
      if (value === '') throw usage(`option '${name}' needs a glob`);
      (name === '--include' ? result.include : result.exclude).push(value);
      return;
  }
}
