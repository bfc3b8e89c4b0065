// `bunx --bun trapdoor run app.js` runs the CLI itself on Bun, with a `node` on PATH that is Bun
// too. The program must then run on Bun with Bun's loader (not Node's loader under Bun's node
// shim, which cannot make it attachable), and be attached to.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuntime } from './runtimes.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
const BUNX = join(ROOT, 'node_modules/.bin/bunx');

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-bunx-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the default runtime', () => {
  it('is the one running the CLI: Bun under bunx --bun, else Node', () => {
    expect(defaultRuntime({ node: '20.20.0' })).toBe('node');
    expect(defaultRuntime({ node: '24.3.0', bun: '1.4.5' })).toBe('bun');
  });

  it('bunx --bun trapdoor run: the program runs on Bun with its loader, and is attached to', async () => {
    const script = join(dir, 'busy.js');
    writeFileSync(script, 'let count = 0;\nfunction step(n) {\n  return n % 7;\n}\nconsole.log("started on", typeof Bun);\nwhile (true) {\n  count += step(count) + 1;\n}\n');
    // bunx finds the workspace's trapdoor bin from the repository's folder.
    const child = spawn(BUNX, ['--bun', 'trapdoor', 'run', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}\n${err}`)));
      });
      expect(firstLine).toBe('started on object');
      const stack = spawnSync(process.execPath, [BIN, 'stack', String(child.pid)], { encoding: 'utf8', timeout: 60_000 });
      expect(stack.status, stack.stderr).toBe(0);
      expect(stack.stdout).toMatch(/\(Bun \d/);
      expect(stack.stdout).toContain(`${script}:`);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
