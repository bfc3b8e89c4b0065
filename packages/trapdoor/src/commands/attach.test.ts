/**
 * `trapdoor attach` on a process without trapdoor's runtime: exit 1, and the ways to start one
 * with it, a production debug build's arming included (an unarmed one has no state file either).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/trapdoor.js', import.meta.url));
const plain = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url)))) throw new Error('build first: npm run build');
});
afterAll(() => {
  plain.kill();
});

it.each(['attach', 'stack'])('%s: a process without the runtime is refused with how to start it, a production build included', (command) => {
  const r = spawnSync(process.execPath, [BIN, command, String(plain.pid)], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^trapdoor ${command}: process ${plain.pid} \\(.*\\) does not run trapdoor's runtime \\(no state file in .*\\)\\.\\n`));
  expect(r.stderr).toMatch(/'trapdoor run'.*bundler plugin\. A production debug build \(production: true\) writes it only when started with TRAPDOOR_ARM=1\./);
  expect(r.stderr.split('\n').filter((line) => /^\s+at /.test(line))).toEqual([]);
});
