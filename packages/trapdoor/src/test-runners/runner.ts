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
  /**
   * Set when `command` is this Node running a script with no options of its own (`node
   * node_modules/vitest/vitest.mjs run`, a `vitest` bin whose `#!/usr/bin/env node` finds this
   * Node): that script, to import in this process with `args` as its arguments instead of
   * spawning it, which would only add a second Node start before the runner's (~55 ms CPU, on
   * the run's critical path). Only with no `env` to add.
   */
  inProcess?: { script: string; args: string[] };
}

export interface TestRunner {
  /** 'vitest' | 'jest' | 'node:test' | 'bun test' */
  readonly name: string;
  /** Whether `command` (what follows `--`, e.g. ['npx', 'vitest', 'run']) runs this runner. */
  matches(command: readonly string[]): boolean;
  /** The command line and environment that run the same tests with trapdoor in them. */
  prepare(command: readonly string[], options: TestRunOptions): Promise<PreparedRun>;
}

/** Programs that run another program named after them (`npx vitest`, `pnpm exec jest`, `yarn vitest`). */
const LAUNCHERS: Record<string, readonly string[]> = {
  npx: [],
  pnpx: [],
  bunx: [],
  'pnpm': ['exec', 'dlx'],
  'yarn': ['exec', 'run'],
  'npm': ['exec'],
};

/**
 * Where the test program is in `command`: past a launcher (`npx [flags]`, `pnpm [exec]`, `yarn
 * [exec|run]`, `npm exec [--]`, `bunx`), its name as a bin would have it (`node_modules/.bin/vitest`
 * → `vitest`, `vitest.mjs` → `vitest`) and its index in `command`; undefined for an empty command.
 * For runners' `matches`: `programOf(command)?.name === 'vitest'`.
 */
export function programOf(command: readonly string[]): { name: string; index: number } | undefined {
  let index = 0;
  const launcher = command[0] === undefined ? undefined : binName(command[0]);
  if (launcher !== undefined && Object.hasOwn(LAUNCHERS, launcher)) {
    index = 1;
    if (LAUNCHERS[launcher]!.includes(command[1] ?? '')) index = 2;
    else if (launcher === 'npm') return { name: launcher, index: 0 }; // npm test, npm run x: npm itself
    // The launcher's own flags (npx --yes vitest); `--` ends them.
    while (index < command.length && command[index]!.startsWith('-')) {
      if (command[index++] === '--') break;
    }
  }
  const program = command[index];
  return program === undefined ? undefined : { name: binName(program), index };
}

/** `node_modules/.bin/vitest` → `vitest`, `C:\x\jest.cmd` → `jest`, `vitest.mjs` → `vitest`. */
function binName(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return base.replace(/\.(?:[cm]?js|cmd|ps1|exe)$/i, '');
}
