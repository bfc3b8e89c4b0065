/**
 * Errors from `node:util` parseArgs (strict) turned into usage errors that name the option.
 */
import { CliError } from './errors.js';

/** Runs a parseArgs call; its errors become ERR_TRAPDOOR_USAGE with `usage` to print. */
export function parseOrUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const e = error as { code?: string; message: string };
    if (typeof e.code !== 'string' || !e.code.startsWith('ERR_PARSE_ARGS_')) throw error;
    // Node adds advice about `--` to unknown options; the first sentence is the useful part.
    const message = e.message.replace(/\. To specify a positional argument[\s\S]*$/, '');
    throw new CliError('ERR_TRAPDOOR_USAGE', message.charAt(0).toLowerCase() + message.slice(1), { usage });
  }
}
