/**
 * `node --test` under `trapdoor test`: NODE_OPTIONS gets `--import trapdoor-js/register` (the
 * Node loader, which instruments the test files and what they import) and `--import` of
 * hooks/node-test.ts (the per-test deadline). Node 20 runs each test file in a child process that
 * inherits the environment, so both reach every file's process; the `node --test` process itself
 * runs no test code.
 *
 * `--test-timeout <ms>`: Node 20 applies it to each file as a whole, in the `node --test` process,
 * which ends a file's process when it passes, without saying where it was stuck, and always before
 * a per-test deadline in that process could (its clock starts when the process does). trapdoor
 * test applies it to each test instead, as later Node versions do: it is taken off the command
 * line and handed to hooks/node-test.ts, which gives it to every test without a timeout of its
 * own (node:test's timer then fails a test that waits, the deadline one that is busy).
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparedRun, TestRunner, TestRunOptions } from './runner.js';
import { commandWords, globsEnv, TIMEOUT_ENV, withNodeOptions } from './command-words.js';

const REGISTER = fileURLToPath(new URL('../loaders/node/register.js', import.meta.url));
const HOOK = fileURLToPath(new URL('./hooks/node-test.js', import.meta.url));
/** Node's --test-timeout from the command, for the hook. */
const NODE_TEST_TIMEOUT_ENV = 'TRAPDOOR_NODE_TEST_TIMEOUT';

/** The command without Node's --test-timeout, and its value. */
function withoutTestTimeout(command: readonly string[]): { command: string[]; testTimeout?: string } {
  for (let i = 0; i < command.length; i++) {
    const arg = command[i]!;
    if (arg === '--') break;
    if (arg.startsWith('--test-timeout=')) return { command: [...command.slice(0, i), ...command.slice(i + 1)], testTimeout: arg.slice('--test-timeout='.length) };
    if (arg === '--test-timeout' && i + 1 < command.length) return { command: [...command.slice(0, i), ...command.slice(i + 2)], testTimeout: command[i + 1] };
  }
  return { command: [...command] };
}

function isNode(word: string): boolean {
  return /^node(?:js)?(?:\d+)?(?:\.exe)?$/.test(basename(word));
}

export const nodeTest: TestRunner = {
  name: 'node:test',
  matches(command) {
    const words = commandWords(command, process.cwd());
    return words.some((w, i) => isNode(w) && words.slice(i + 1).includes('--test'));
  },
  async prepare(command: readonly string[], options: TestRunOptions): Promise<PreparedRun> {
    const env: Record<string, string> = {
      ...globsEnv(options.include, options.exclude),
      NODE_OPTIONS: withNodeOptions(process.env.NODE_OPTIONS, ['--import', REGISTER], ['--import', HOOK]),
    };
    if (options.timeout !== undefined) env[TIMEOUT_ENV] = String(options.timeout);
    const { command: adjusted, testTimeout } = withoutTestTimeout(command);
    if (testTimeout !== undefined) env[NODE_TEST_TIMEOUT_ENV] = testTimeout;
    return { command: adjusted, env };
  },
};
