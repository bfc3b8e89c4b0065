/**
 * `node --test` under `trapdoor test`: NODE_OPTIONS gets `--import trapdoor-js/register` (the
 * Node loader, which instruments the test files and what they import) and `--import` of
 * hooks/node-test.ts (the per-test deadline). Node 20 runs each test file in a child process that
 * inherits the environment, so both reach every file's process; the `node --test` process itself
 * runs no test code.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparedRun, TestRunner, TestRunOptions } from './runner.js';
import { commandWords, globsEnv, TIMEOUT_ENV, withNodeOptions } from './command-words.js';

const REGISTER = fileURLToPath(new URL('../loaders/node/register.js', import.meta.url));
const HOOK = fileURLToPath(new URL('./hooks/node-test.js', import.meta.url));

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
    return { command: [...command], env };
  },
};
