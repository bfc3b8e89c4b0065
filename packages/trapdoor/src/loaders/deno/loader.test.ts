// What a Deno start loads (issue 10: start-up): the preload is one file of trapdoor's, and the
// transform (transform.cjs, scripts/bundle-deno.mjs) loads on a cache miss only, as on Node and
// Bun. Real Deno processes on the built package.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSpecifiers } from './import-specifiers.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const DENO = join(ROOT, 'node_modules/.bin/deno');
const REGISTER = join(ROOT, 'packages/trapdoor/dist/loaders/deno/register.js');

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-deno-loader-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Instrumented (a loop), and says whether the loader required the transform (Deno's require.cache).
const PROGRAM = `import module from 'node:module';
let n = 0;
for (let i = 0; i < 3; i++) n += i;
console.log('n', n, 'transform loaded:', Object.keys(module._cache).some((file) => file.endsWith('transform.cjs')));
`;

function run(env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(DENO, ['run', '-A', '--preload', REGISTER, join(dir, 'app.mjs')], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', TRAPDOOR_CACHE_DIR: join(dir, 'cache'), TRAPDOOR_DEBUG_CACHE: join(dir, 'cache.log'), ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the Deno loader at start', () => {
  it('is one file that imports only node: built-ins (Deno reads and compiles each module of a preload, and each again through the hooks)', () => {
    const specifiers = importSpecifiers(readFileSync(REGISTER, 'utf8')).map((s) => s.value);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith('node:'))).toEqual([]);
  });

  it('loads the transform on a cache miss only: the cold start requires it, the warm one does not, without a cache every start does', () => {
    writeFileSync(join(dir, 'app.mjs'), PROGRAM);
    const cold = run({});
    expect(cold).toMatchObject({ status: 0, stdout: 'n 3 transform loaded: true\n', stderr: '' });
    const warm = run({});
    expect(warm).toMatchObject({ status: 0, stdout: 'n 3 transform loaded: false\n', stderr: '' });
    expect(readFileSync(join(dir, 'cache.log'), 'utf8')).toBe(`miss ${join(dir, 'app.mjs')}\nhit ${join(dir, 'app.mjs')}\n`);
    expect(run({ TRAPDOOR_CACHE: '0' })).toMatchObject({ status: 0, stdout: 'n 3 transform loaded: true\n', stderr: '' });
  });
});
