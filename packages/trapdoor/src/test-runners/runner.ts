/**
 * What `trapdoor test` needs from each test runner it supports (vitest.ts, jest.ts,
 * node-test.ts, bun-test.ts beside this file). commands/test.ts picks the first runner whose
 * `matches` accepts the command line and runs what `prepare` returns, so the project's own
 * configuration is kept: a runner adds its instrumenting hook and its per-test deadline hook by
 * command-line flags, environment variables or a generated wrapper config, never by editing
 * the project's files.
 */

export interface TestRunOptions {
  /** `--timeout <ms>`: overrides the runner's own per-test timeout; undefined keeps the runner's. */
  timeout?: number;
  /** `--include` / `--exclude` globs, relative to `cwd` (as for `trapdoor run`). */
  include: string[];
  exclude: string[];
  /** The directory the command runs in. */
  cwd: string;
}

export interface PreparedRun {
  /** The command to spawn (argv[0] resolved to an executable or left for PATH lookup). */
  command: string[];
  /** Variables added to (or overriding) the environment. */
  env: Record<string, string>;
  /** Called when the run has ended (removes generated files). */
  cleanup?: () => void;
}

export interface TestRunner {
  /** 'vitest' | 'jest' | 'node:test' | 'bun test' */
  readonly name: string;
  /** Whether `command` (what follows `--`, e.g. ['npx', 'vitest', 'run']) runs this runner. */
  matches(command: readonly string[]): boolean;
  /** The command line and environment that run the same tests with trapdoor in them. */
  prepare(command: readonly string[], options: TestRunOptions): Promise<PreparedRun>;
}
