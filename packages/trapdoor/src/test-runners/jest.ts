/**
 * Jest 30 under `trapdoor test`: the CLI process loads hooks/jest-preload.cts (NODE_OPTIONS),
 * which wraps each project's transformers and test runner in the configuration Jest has read
 * (hooks/jest-config.ts), so the project's files and settings stay as they are. Instrumenting
 * happens in Jest's transformer chain (hooks/jest-transformer.cts), deadlines in the runner
 * (hooks/jest-runner.cts).
 */
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparedRun, TestRunner, TestRunOptions } from './runner.js';
import { commandWords, globsEnv, TIMEOUT_ENV, withNodeOptions } from './command-words.js';

const PRELOAD = fileURLToPath(new URL('./hooks/jest-preload.cjs', import.meta.url));

function isJest(word: string): boolean {
  const name = basename(word);
  return name === 'jest' || name === 'jest.js' || name === 'jest.cmd' || /[\\/]jest(?:-cli)?[\\/]bin[\\/]jest(?:\.js)?$/.test(word);
}

export const jest: TestRunner = {
  name: 'jest',
  matches(command) {
    return commandWords(command, process.cwd()).some(isJest);
  },
  async prepare(command: readonly string[], options: TestRunOptions): Promise<PreparedRun> {
    const env: Record<string, string> = {
      ...globsEnv(options.include, options.exclude),
      NODE_OPTIONS: withNodeOptions(process.env.NODE_OPTIONS, ['--require', PRELOAD]),
    };
    if (options.timeout !== undefined) env[TIMEOUT_ENV] = String(options.timeout);
    // The runtime's own files, for code that runs in a test file's sandbox before trapdoor's runner
    // binds the worker's runtime (hooks/jest-runtime.cts: the bare name is mapped to the bridge).
    env.TRAPDOOR_JEST_RUNTIME = createRequire(import.meta.url).resolve('@trapdoor-js/runtime');
    env.TRAPDOOR_JEST_RUNTIME_ESM = import.meta.resolve('@trapdoor-js/runtime');
    return { command: [...command], env };
  },
};
