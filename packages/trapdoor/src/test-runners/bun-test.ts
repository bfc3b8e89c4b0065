/**
 * `bun test` under `trapdoor test`: `--preload` of trapdoor-js/register (the Bun plugin, which
 * instruments the test files and what they import) and of hooks/bun-test.ts (the per-test
 * deadline), inserted right after `test`. Bun takes no preload from the environment for
 * `bun test` (BUN_OPTIONS would put it before the subcommand), so the command must name
 * `bun test` itself; a package script that runs it (`npm test`) is refused with that reason.
 *
 * `bun test --watch`: TRAPDOOR_BUN_WATCH=1 tells the plugin to register the files it loads with
 * Bun's watcher (Bun does not watch a plugin's files by itself).
 *
 * `bun test --timeout <ms>` is read here and handed to the hook: Bun does not show its own
 * arguments to the test process.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreparedRun, TestRunner, TestRunOptions } from './runner.js';
import { commandWords, globsEnv, TIMEOUT_ENV } from './command-words.js';
import { CliError } from '../errors.js';

const REGISTER = fileURLToPath(new URL('../loaders/bun/register.js', import.meta.url));
const HOOK = fileURLToPath(new URL('./hooks/bun-test.js', import.meta.url));

function isBun(word: string): boolean {
  return /^bunx?(?:\.exe)?$/.test(basename(word));
}

/** Where `test` follows a bun word in the command, or -1. */
function testIndex(words: readonly string[]): number {
  return words.findIndex((w, i) => w === 'test' && i > 0 && isBun(words[i - 1]!));
}

/** Whether the bun test command line has `--watch` (bun test's watch mode). */
function watches(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--watch' || arg === '--watch=true');
}

/** `--timeout <ms>` / `--timeout=<ms>` of the bun test command line. */
function bunTimeout(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg.startsWith('--timeout=')) return arg.slice('--timeout='.length);
    if (arg === '--timeout') return args[i + 1];
  }
  return undefined;
}

export const bunTest: TestRunner = {
  name: 'bun test',
  matches(command) {
    return testIndex(commandWords(command, process.cwd())) >= 0;
  },
  async prepare(command: readonly string[], options: TestRunOptions): Promise<PreparedRun> {
    const at = testIndex(command);
    if (at < 0) {
      throw new CliError('ERR_TRAPDOOR_USAGE', `'${command.join(' ')}' runs bun test through a package script; Bun takes no preload from the environment for bun test, so name it directly: trapdoor test -- bun test …`);
    }
    const env: Record<string, string> = { ...globsEnv(options.include, options.exclude) };
    if (options.timeout !== undefined) env[TIMEOUT_ENV] = String(options.timeout);
    const own = bunTimeout(command.slice(at + 1));
    if (own !== undefined) env.TRAPDOOR_BUN_TIMEOUT = own;
    // Bun's watcher does not see the files a plugin loads: the plugin registers them (loaders/bun/register.ts).
    if (watches(command.slice(at + 1))) env.TRAPDOOR_BUN_WATCH = '1';
    return { command: [...command.slice(0, at + 1), '--preload', REGISTER, '--preload', HOOK, ...command.slice(at + 1)], env };
  },
};
