/**
 * `trapdoor test -- node --test` with concurrent subtests on Node 22 and 24
 * (test/helpers/node-lines.ts). Node 24 runs AsyncLocalStorage on AsyncContextFrame, where
 * runInAsyncScope puts the resource's own context back after the `before` hooks: the deadline
 * hook (test-runners/hooks/node-test.ts) lost each concurrent test's deadline there, and a stuck
 * one hung the run. The full behaviour is e2e-test-node.test.ts, on the suite's own Node.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, TRAPDOOR_BIN } from './e2e/harness.js';
import { NODE_LINES, nodeBinary, nodeLineEnv, unsupported } from './helpers/node-lines.js';

const PROJECT = join(repoRoot, 'test', 'test-runners', 'node-test', 'concurrent');
const scratch = mkdtempSync(join(tmpdir(), 'trapdoor-node-lines-node-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(unsupported !== undefined).each(NODE_LINES)('Node %s: trapdoor test -- node --test', (version) => {
  let node = '';
  beforeAll(() => {
    node = nodeBinary(version);
  }, 300_000);

  it('fails each stuck concurrent subtest at its own place, and the run ends', () => {
    // `node` on PATH is this line's, as for a user who has only that Node.
    const env = nodeLineEnv(join(scratch, 'cache'), { PATH: `${dirname(node)}:${process.env.PATH}` });
    const r = spawnSync(node, [TRAPDOOR_BIN, 'test', '--', 'node', '--test', '--test-reporter=tap', 'src/concurrent.test.js'], { cwd: PROJECT, encoding: 'utf8', env, timeout: 90_000 });
    const output = r.stdout + r.stderr;
    expect(r.signal, output).toBe(null);
    expect(r.status, output).toBe(1);
    expect(output).toMatch(/not ok \d+ - stuck, started last\n[^]*?trapdoor: stuck in a synchronous loop at src\/concurrent\.test\.js:25:5\n/);
    expect(output).toMatch(/not ok \d+ - stuck, started first\n[^]*?trapdoor: stuck in a synchronous loop at src\/concurrent\.test\.js:34:7\n/);
    expect(output).toMatch(/ok \d+ - busy within its own longer timeout\n/);
    expect(output).toMatch(/ok \d+ - waits within its own longer timeout\n/);
    expect(output).toMatch(/ok \d+ - runs after them\n/);
  }, 120_000);
});
