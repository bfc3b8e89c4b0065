/**
 * Errors the CLI reports. Each has a stable `code`; `exitCodeFor` is the one place that turns a
 * code into an exit status, so commands throw and never pick numbers themselves.
 */

export type CliErrorCode =
  /** The command line is wrong: unknown command or option, missing or bad value. */
  | 'ERR_TRAPDOOR_USAGE'
  /** A command that is planned but not built yet. */
  | 'ERR_TRAPDOOR_NOT_AVAILABLE'
  /** An input path does not exist. */
  | 'ERR_TRAPDOOR_NOT_FOUND'
  /** Some input files could not be instrumented (syntax errors); nothing was written. */
  | 'ERR_TRAPDOOR_INPUT'
  /** Reading or writing files failed part-way. */
  | 'ERR_TRAPDOOR_IO'
  /** attach/stack: no process has that pid. */
  | 'ERR_TRAPDOOR_NO_SUCH_PROCESS'
  /** attach/stack: the process belongs to another user. */
  | 'ERR_TRAPDOOR_NOT_PERMITTED'
  /** attach/stack: the process does not run trapdoor's runtime (no state file). */
  | 'ERR_TRAPDOOR_NOT_TRAPDOOR'
  /** attach/stack: the process tried to start its debugger and could not (e.g. its port is taken). */
  | 'ERR_TRAPDOOR_ACTIVATION'
  /** attach/stack: the process did not start its debugger, or pause, in time. */
  | 'ERR_TRAPDOOR_TIMEOUT'
  /** attach/stack: the debugger answered something unexpected, or the connection failed. */
  | 'ERR_TRAPDOOR_PROTOCOL';

export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  /** Printed before the message, each as is (e.g. `file:line:column: message` and a code frame). */
  readonly details: string[];
  /** The command's usage: its presence makes the CLI point to `--help` after the message. */
  readonly usage?: string;

  constructor(code: CliErrorCode, message: string, extra: { details?: string[]; usage?: string } = {}) {
    super(message);
    this.code = code;
    this.details = extra.details ?? [];
    this.usage = extra.usage;
  }
}

/** 2: the command line was wrong, nothing was tried. 1: it ran and failed. */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof CliError)) return 1;
  switch (error.code) {
    case 'ERR_TRAPDOOR_USAGE':
    case 'ERR_TRAPDOOR_NOT_AVAILABLE':
    case 'ERR_TRAPDOOR_NOT_FOUND':
      return 2;
    case 'ERR_TRAPDOOR_INPUT':
    case 'ERR_TRAPDOOR_IO':
    case 'ERR_TRAPDOOR_NO_SUCH_PROCESS':
    case 'ERR_TRAPDOOR_NOT_PERMITTED':
    case 'ERR_TRAPDOOR_NOT_TRAPDOOR':
    case 'ERR_TRAPDOOR_ACTIVATION':
    case 'ERR_TRAPDOOR_TIMEOUT':
    case 'ERR_TRAPDOOR_PROTOCOL':
      return 1;
  }
}

/** The error object `--json` prints on stdout: `{"error": {"code", "message", "details"?}}`. */
export interface JsonError {
  error: { code: CliErrorCode | 'ERR_TRAPDOOR_INTERNAL'; message: string; details?: string[] };
}

export function jsonErrorOf(error: unknown): JsonError {
  if (error instanceof CliError) {
    return { error: { code: error.code, message: error.message, ...(error.details.length > 0 ? { details: error.details } : {}) } };
  }
  return { error: { code: 'ERR_TRAPDOOR_INTERNAL', message: (error as Error)?.message ?? String(error) } };
}

/**
 * Runs a command whose `--json` output a script reads: when it fails, the error as JSON on stdout
 * (a script parsing stdout gets an object, not an empty string), then rethrown so that the CLI
 * prints it on stderr for whoever watches and exits with its usual status. As `npm --json` does
 * (`{"error": {"code", "summary", "detail"}}` on stdout, the text on stderr); `gh --json` leaves
 * stdout empty, which a script cannot tell from a crash. `--json` counts wherever it is in
 * `argv`, so a command line parseArgs rejects gets its JSON too.
 */
export async function withJsonErrors(argv: string[], command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(jsonErrorOf(error))}\n`);
    throw error;
  }
}
