/**
 * Bun.build with the plugin (the built `trapdoor-js/bun`, run by the real Bun) on a file the parser
 * rejects: the build fails with one message naming the plugin once, then `file:line:column` and
 * the reason (unplugin's Bun plugin prefixes `[unplugin] trapdoor: ` itself).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const BUN = fileURLToPath(new URL('../../../../node_modules/.bin/bun', import.meta.url));
const PLUGIN = fileURLToPath(new URL('../../dist/adapters/bun.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trapdoor-bun-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a syntax error: one message, the plugin named once, with file:line:column', () => {
  expect(existsSync(PLUGIN), 'build first: npm run build').toBe(true);
  writeFileSync(join(dir, 'broken.ts'), 'export function spin(limit: number): number {\n  let x = 1;\n  while (x === ) {}\n  return x;\n}\n');
  writeFileSync(
    join(dir, 'build.ts'),
    `import trapdoor from ${JSON.stringify(PLUGIN)};\n` +
      `try { await Bun.build({ entrypoints: ['./broken.ts'], target: 'bun', plugins: [trapdoor()] }); console.log('built'); }\n` +
      `catch (error) { console.log(JSON.stringify((error.errors ?? [error]).map((e) => e.message))); }\n`,
  );
  const r = spawnSync(BUN, ['build.ts'], { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual([`[unplugin] trapdoor: ${join(dir, 'broken.ts')}:3:16: Unexpected token`]);
});
