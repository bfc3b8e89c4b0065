/**
 * Command-line checks shared by the commands: `node:util` parseArgs errors (strict) turned into
 * usage errors that name the option, and values that must be valid before anything starts.
 */
import { CliError } from './errors.js';

/**
 * node:net's isIP, loaded only when a host is checked: `trapdoor run` reaches this file on its way
 * to the program, and node:net (with Node's streams) is not needed there otherwise.
 */
const isIP = (value: string): number => process.getBuiltinModule('node:net').isIP(value);

/** Runs a parseArgs call; its errors become ERR_TRAPDOOR_USAGE with `usage` to print. */
export function parseOrUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const e = error as { code?: string; message: string };
    if (typeof e.code !== 'string' || !e.code.startsWith('ERR_PARSE_ARGS_')) throw error;
    // Node adds advice about `--` to unknown options, and three lines to a value that starts with a
    // dash (`--idle-after -1`); one line says it.
    const ambiguous = /^Option '-[^']*' argument is ambiguous[\s\S]*use '(--[^=']+)=-XYZ'/.exec(e.message);
    const message = ambiguous !== null
      ? `option '${ambiguous[1]}' needs a value (one that starts with a dash goes after '=': ${ambiguous[1]}=-1)`
      : e.message.replace(/\. To specify a positional argument[\s\S]*$/, '');
    throw new CliError('ERR_TRAPDOOR_USAGE', message.charAt(0).toLowerCase() + message.slice(1), { usage });
  }
}

/**
 * Whether `value` can be a debugger's listening address, as `node --inspect=HOST` takes it: an
 * IPv4 address in dotted decimal, an IPv6 address (bracketed or not), or a host name (RFC 1123
 * labels). A name made of digits and dots only must be an IPv4 address: `999.1.1.1` is neither.
 */
export function isListenHost(value: string): boolean {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) !== 0) return bare === value || isIP(bare) === 6;
  if (value.length > 253 || /^[\d.]+$/.test(value)) return false;
  const labels = value.replace(/\.$/, '').split('.');
  return labels.every((label) => /^[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?$/i.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}
