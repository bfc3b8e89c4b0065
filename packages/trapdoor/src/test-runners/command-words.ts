/**
 * What a test command runs, for the runners' `matches`: its words, and when it runs a package
 * script (`npm test`, `npm run test:unit`, `pnpm test`, `yarn test`, `bun run test`), the words of
 * that script from the project's package.json too, so `trapdoor test -- npm test` finds Jest in
 * `"test": "jest --ci"`.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
/** Script names a manager runs without `run`. */
const DIRECT = new Set(['test', 't', 'start']);

export function commandWords(command: readonly string[], cwd: string): string[] {
  const words = [...command];
  const manager = command[0] === undefined ? undefined : basename(command[0]).replace(/\.(?:cmd|exe|js|cjs)$/, '');
  if (manager === undefined || !MANAGERS.has(manager)) return words;
  const rest = command.slice(1).filter((w) => !w.startsWith('-'));
  const name = rest[0] === 'run' || rest[0] === 'run-script' ? rest[1] : rest[0] !== undefined && DIRECT.has(rest[0]) ? (rest[0] === 't' ? 'test' : rest[0]) : undefined;
  if (name === undefined) return words;
  try {
    const scripts = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts;
    const script = scripts?.[name];
    if (typeof script === 'string') words.push(...script.split(/\s+/).filter((w) => w !== ''));
  } catch {
    // no package.json, or not JSON: the command's own words only
  }
  return words;
}

/** The environment variables that hand `--include`/`--exclude` to the loaders and hooks (loaders/settings.ts). */
export function globsEnv(include: string[], exclude: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  if (include.length > 0) env.TRAPDOOR_INCLUDE = JSON.stringify(include);
  if (exclude.length > 0) env.TRAPDOOR_EXCLUDE = JSON.stringify(exclude);
  return env;
}

/** NODE_OPTIONS with preloads appended (quoted: paths may hold spaces). */
export function withNodeOptions(existing: string | undefined, ...flags: Array<[flag: string, path: string]>): string {
  const added = flags.map(([flag, path]) => `${flag} ${JSON.stringify(path)}`).join(' ');
  return existing !== undefined && existing.trim() !== '' ? `${existing} ${added}` : added;
}

/** The variable hooks read `trapdoor test --timeout` from. */
export const TIMEOUT_ENV = 'TRAPDOOR_TEST_TIMEOUT';
