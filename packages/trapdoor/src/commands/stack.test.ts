/**
 * `trapdoor stack`'s own options on a bad command line: the error names the option that was
 * given (cli.test.ts has those attach and stack share).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/trapdoor.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url)))) throw new Error('build first: npm run build');
});

it.each(['soon', '0', ''])("--idle-after '%s' is refused by its own name, exit 2", (value) => {
  const r = spawnSync(process.execPath, [BIN, 'stack', `--idle-after=${value}`, '1'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`trapdoor stack: option '--idle-after' must be a number of seconds greater than 0, not '${value}'\nRun 'trapdoor stack --help' for usage.\n`);
});

it.each([['--idle-after', '--idle-after'], ['--timeout', '--timeout']])("'%s -1' (a value that starts with a dash) is one line naming %s, exit 2", (flag, name) => {
  const r = spawnSync(process.execPath, [BIN, 'stack', flag, '-1', '1'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toBe(`trapdoor stack: option '${name}' needs a value (one that starts with a dash goes after '=': ${name}=-1)\nRun 'trapdoor stack --help' for usage.\n`);
});
