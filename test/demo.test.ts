// `npm run demo` is what a newcomer runs first: it must keep working, end to end.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';

it('npm run demo: runs the stuck example, attaches, prints its stack, and a CDP client ends the loop', () => {
  const result = spawnSync(process.execPath, [join(repoRoot, 'examples', 'demo.mjs')], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(0);
  expect(result.stdout).toMatch(/^ {4}WebSocket: {2}ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}$/m);
  expect(result.stdout).toMatch(/^ {4}DevTools: {3}devtools:\/\/devtools\/bundled\/js_app\.html\?experiments=true&v8only=true&ws=127\.0\.0\.1:\d+\//m);
  expect(result.stdout).toContain(`at ${join(repoRoot, 'examples', 'stuck.js')}:27:1\n`);
  expect(result.stdout).toMatch(/^ {10}found = null$/m);
  expect(result.stdout).toMatch(/Debugger\.pause → Debugger\.paused in [\d.]+ ms, at examples\/stuck\.js:27:1/);
  expect(result.stdout).toMatch(/^The program left its loop and exited with code 0; its last line: found \d+$/m);
});
