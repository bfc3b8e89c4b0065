/**
 * tsx with trapdoor on Node 22 and 24 (test/helpers/node-lines.ts), where trapdoor's loader runs
 * with `module.registerHooks` and tsx with `module.register`: TypeScript that tsx compiles as
 * CommonJS (a package without "type", test/typescript-node/untyped; a "commonjs" package,
 * test/typescript-node/cjs) is instrumented, the entry point too, and the program prints what it
 * prints under tsx alone. Node 22+'s ES module loader creates an `import`ed CommonJS module long
 * before tsx's handler compiles it (compile-hook.ts's expectCompile); before that, every module
 * the ES module loader handed to tsx ran uninstrumented. The full composition matrix is
 * e2e-typescript-node.test.ts (which runs on the Node the suite runs on).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';
import { NODE_LINES, nodeBinary, nodeLineEnv, unsupported } from './helpers/node-lines.js';

const BIN = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const FIXTURES = join(repoRoot, 'test', 'typescript-node');
const scratch = mkdtempSync(join(tmpdir(), 'trapdoor-node-lines-tsx-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FIXTURE_FILES = { untyped: ['app.ts', 'helper.ts', 'lib/sum.ts'], cjs: ['app.ts', 'counter.cts', 'shapes.ts'] } as const;
let dumps = 0;

describe.skipIf(unsupported !== undefined).each(NODE_LINES)('Node %s with tsx', (version) => {
  let node = '';
  beforeAll(() => {
    node = nodeBinary(version);
  }, 300_000);

  const run = (args: string[], cwd: string, dump?: string) => {
    const env = nodeLineEnv(join(scratch, 'cache'), dump === undefined ? {} : { TRAPDOOR_DEBUG_DUMP_MODULES: dump });
    const r = spawnSync(node, args, { cwd, encoding: 'utf8', env, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it.each([
    ['trapdoor run --import=tsx', [BIN, 'run', '--import=tsx']],
    ['node --import tsx --import trapdoor-js/register', ['--import', 'tsx', '--import', 'trapdoor-js/register']],
    ['node --import trapdoor-js/register --import tsx', ['--import', 'trapdoor-js/register', '--import', 'tsx']],
  ])('%s: every .ts module instrumented, the entry point too; the output of tsx alone', (_name, args) => {
    for (const [fixture, files] of Object.entries(FIXTURE_FILES)) {
      const dir = join(FIXTURES, fixture);
      const plain = run(['--import', 'tsx', 'app.ts'], dir);
      expect(plain.status, plain.stderr).toBe(0);
      const dump = join(scratch, `dump-${++dumps}.json`);
      const traced = run([...args, 'app.ts'], dir, dump);
      expect(traced, fixture).toEqual(plain);
      const modules = JSON.parse(readFileSync(dump, 'utf8')) as Array<{ file: string; sites: number }>;
      for (const file of files) {
        const module = modules.find((m) => m.file === join(dir, file));
        expect(module, `${fixture}/${file} in ${JSON.stringify(modules)}`).toBeDefined();
        expect(module!.sites).toBeGreaterThan(0);
      }
    }
  });
});
