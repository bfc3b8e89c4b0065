import { mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSpecifiers } from './import-specifiers.js';
import { mayImportBare, rewrite } from './own-modules.js';

let root: string;
function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-own-modules-')));
  write('tool/dist/index.js', '');
  write('tool/node_modules/esm-dep/package.json', JSON.stringify({ name: 'esm-dep', type: 'module', exports: './index.js' }));
  write('tool/node_modules/esm-dep/index.js', 'export const a = 1;\n');
  write('tool/node_modules/cjs-dep/package.json', JSON.stringify({ name: 'cjs-dep', main: 'lib.js' }));
  write('tool/node_modules/cjs-dep/lib.js', 'exports.b = 2;\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('rewrite', () => {
  it('points bare imports at the files Node resolves them to; CommonJS through a facade; builtins by node: name', () => {
    const from = join(root, 'tool/dist/index.js');
    const source = [
      `import { a } from 'esm-dep';`,
      `import { b } from "cjs-dep";`,
      `import fs from 'fs';`,
      `import { join } from 'node:path';`,
      `import './local.js';`,
      `import missing from 'not-installed';`,
      `const later = () => import('esm-dep');`,
    ].join('\n');
    const out = rewrite(source, from).split('\n');
    const esm = JSON.stringify(pathToFileURL(join(root, 'tool/node_modules/esm-dep/index.js')).href);
    expect(out[0]).toBe(`import { a } from ${esm};`);
    expect(out[1]).toMatch(/^import \{ b \} from "file:\/\/\/.*\/loaders\/deno\/commonjs-facade\.mjs\?.*cjs-dep\/lib\.js";$/);
    expect(out[1]).not.toContain('%2F');
    expect(out.slice(2)).toEqual([`import fs from "node:fs";`, `import { join } from 'node:path';`, `import './local.js';`, `import missing from 'not-installed';`, `const later = () => import(${esm});`]);
  });

  it('leaves a module with only relative and node: imports as it is', () => {
    const source = `import { x } from './x.js';\nimport fs from 'node:fs';\nexport * from "../y.js";\n`;
    expect(mayImportBare(source)).toBe(false);
    expect(rewrite(source, join(root, 'tool/dist/index.js'))).toBe(source);
  });

  it("the quick check never misses a bare import the lexer finds, in any ES module of trapdoor's and its dependencies", () => {
    const repo = fileURLToPath(new URL('../../../../../', import.meta.url));
    let checked = 0;
    for (const dir of ['packages/trapdoor/dist', 'packages/transform/dist', 'packages/runtime/dist/esm', 'node_modules/@jridgewell', 'node_modules/magic-string/dist', 'node_modules/ws']) {
      for (const file of files(join(repo, dir))) {
        const source = readFileSync(file, 'utf8');
        const bare = importSpecifiers(source).some((s) => !/^(?:\.{0,2}\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(s.value));
        if (bare) checked++;
        if (bare) expect(mayImportBare(source), file).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...files(path));
    else if (/\.m?js$/.test(name)) out.push(path);
  }
  return out;
}
