/**
 * The suites whose subject changes with Node's release line (the loaders, TypeScript under Node,
 * the node:test runner, the attach command), run whole by Vitest on the newest pinned line
 * (test/helpers/node-lines.ts), as they run on the suite's own Node: what Node 24 changed in its
 * module loader, AsyncLocalStorage and stack output is caught in every run, not only when someone
 * runs the suite there by hand. Node 22 sits between the two and has the scenarios of the other
 * e2e-node-lines files.
 */
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';
import { NODE_LINES, nodeBinary, unsupported } from './helpers/node-lines.js';
import { runToEnd, userEnv } from './helpers/test-run.js';

const VERSION = NODE_LINES[NODE_LINES.length - 1]!;
const SUITES = [
  'packages/trapdoor/src/loaders',
  'test/e2e-typescript-node.test.ts',
  'test/e2e-test-node.test.ts',
  'test/e2e-unregistered-entry.test.ts',
  'test/e2e-run-stdin.test.ts',
  'test/e2e-attach.test.ts',
];
const LIMIT_MS = 15 * 60_000;

describe.skipIf(unsupported !== undefined)(`Node ${VERSION}: the suites that depend on Node's line`, () => {
  let node = '';
  beforeAll(() => {
    node = nodeBinary(VERSION);
  }, 300_000);

  it('pass as they do on this Node', async () => {
    // `node` on PATH is that line's too, for the tests that start `node` by name. The environment
    // is this run's as the suites get it (colour settings too: Deno takes any FORCE_COLOR as on).
    const env = userEnv({ PATH: `${dirname(node)}:${process.env.PATH}` }, { plainOutput: false });
    const run = await runToEnd([node, join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...SUITES], { cwd: repoRoot, env, limitMs: LIMIT_MS });
    // The summary and the failures, not every passing test's line.
    const failures = run.output.split('\n').filter((line) => !/^\s+✓ /.test(line)).join('\n');
    expect(run.status, failures.slice(-20_000)).toBe(0);
    expect(stripVTControlCharacters(run.output)).toMatch(/Test Files +\d+ passed/);
  }, LIMIT_MS + 60_000);
});
