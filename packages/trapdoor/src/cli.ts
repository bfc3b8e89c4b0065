/**
 * The `trapdoor` command line: picks the subcommand, prints help and version, and turns every
 * error into a message and an exit status (see errors.ts). bin/trapdoor.js calls `main`.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { parseOrUsage } from './args.js';
import { CliError, exitCodeFor } from './errors.js';

const USAGE = `Usage: trapdoor <command> [options]

Attach a debugger to a JavaScript process that is already running, even one stuck in a busy loop.

Commands:
  instrument <file|dir> -o <out>   write instrumented copies of files, with source maps
  run <script> [args...]           run a script on Node, Bun or Deno with on-the-fly instrumentation
  attach <pid>                     start a running process's debugger, print its WebSocket and DevTools URLs
  stack <pid>                      print where a running process is and its locals, then let it run on
  test -- <test command...>        run a project's tests; a test stuck in a busy loop fails where it is stuck

Options:
  -h, --help                       show this help; 'trapdoor <command> --help' for a command's
  --version                        print the version
`;

type Command = (argv: string[]) => Promise<number>;

// Loaded on use: the transform (Babel's parser) alone takes longer to load than Node takes to start.
const COMMANDS: Record<string, Command> = {
  instrument: async (argv) => (await import('./commands/instrument.js')).instrumentCommand(argv),
  run: async (argv) => (await import('./commands/run.js')).runCommand(argv),
  attach: async (argv) => (await import('./commands/attach.js')).attachCommand(argv),
  stack: async (argv) => (await import('./commands/stack.js')).stackCommand(argv),
  test: async (argv) => (await import('./commands/test.js')).testCommand(argv),
};

export async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name]! : undefined;
  try {
    return command ? await command(argv.slice(1)) : topLevel(argv);
  } catch (error) {
    return report(error, command ? `trapdoor ${name}` : 'trapdoor');
  }
}

function topLevel(argv: string[]): number {
  const options = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } } as const;
  const { values, positionals } = parseOrUsage(USAGE, () => parseArgs({ args: argv, options, strict: true, allowPositionals: true }));
  if (positionals.length > 0) throw new CliError('ERR_TRAPDOOR_USAGE', `unknown command '${positionals[0]}'`, { usage: USAGE });
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // No command at all: usage, as an error, so scripts calling `trapdoor` by mistake notice.
  process.stderr.write(USAGE);
  return 2;
}

function report(error: unknown, prefix: string): number {
  if (error instanceof CliError) {
    for (const detail of error.details) process.stderr.write(`${detail}\n\n`);
    process.stderr.write(`${prefix}: ${error.message}\n`);
    // A pointer to the usage, not the usage itself: 60 lines of it would scroll the error away.
    if (error.usage) process.stderr.write(`Run '${prefix} --help' for usage.\n`);
  } else {
    // Not one of ours: a bug, so show where it happened.
    process.stderr.write(`${prefix}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  return exitCodeFor(error);
}

function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}
