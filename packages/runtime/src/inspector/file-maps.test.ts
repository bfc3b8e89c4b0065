import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { instrument } from '@trapdoor-js/transform';
import { throughFileMap } from './file-maps.js';
import { register, type ModuleTableV2 } from '../modules.js';
import { Scripts } from './scripts.js';

const dir = mkdtempSync(join(tmpdir(), 'trapdoor-file-maps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A two-line "bundle" whose map sends line 2 to line 7 of src/a.ts (0-based: 1 → 6), written
// the way webpack names sources.
const map = { version: 3, sources: ['webpack://app/src/a.ts'], names: [], mappings: ';AAMA' };

describe('throughFileMap', () => {
  it('reads an external map named by the last sourceMappingURL comment', () => {
    const file = join(dir, 'bundle.js');
    writeFileSync(file, 'x();\ny();\n//# sourceMappingURL=bundle.js.map\n');
    writeFileSync(`${file}.map`, JSON.stringify(map));
    expect(throughFileMap(pathToFileURL(file).href, 2, 0)).toEqual({ source: 'webpack://app/src/a.ts', line: 7, column: 0 });
  });
  it('reads an inline base64 map, and gives nothing for a file without one', () => {
    const inline = join(dir, 'inline.js');
    writeFileSync(inline, `x();\ny();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`);
    expect(throughFileMap(inline, 2, 0)?.line).toBe(7);
    const none = join(dir, 'none.js');
    writeFileSync(none, 'x();\n');
    expect(throughFileMap(none, 1, 0)).toBeUndefined();
  });
});

describe('Scripts.moduleSourceFor', () => {
  it("matches a bundler's way of naming a module's source by the longest path tail, and nothing on a tie", () => {
    const tableOf = (file: string) => {
      const code = instrument('function f() { for (;;) break; }\n', { filename: file }).code; // a loop: a function with neither loop nor call has no check
      const literal = /\{return \/\*trapdoor:2\*\/('(?:[^'\\\n]|\\.)*')\}/.exec(code)![1]!;
      const table = JSON.parse(new Function(`return ${literal}`)() as string) as ModuleTableV2;
      return () => table;
    };
    register(tableOf(join(dir, 'app', 'src', 'a.ts')));
    register(tableOf(join(dir, 'app', 'lib', 'b.ts')));
    register(tableOf(join(dir, 'other', 'lib', 'b.ts')));
    const scripts = new Scripts(() => {});
    expect(scripts.moduleSourceFor(join(dir, 'app', 'src', 'a.ts'))).toBe(pathToFileURL(join(dir, 'app', 'src', 'a.ts')).href);
    expect(scripts.moduleSourceFor('webpack://app/src/a.ts')).toBe(pathToFileURL(join(dir, 'app', 'src', 'a.ts')).href);
    expect(scripts.moduleSourceFor('webpack://x/app/lib/b.ts')).toBe(pathToFileURL(join(dir, 'app', 'lib', 'b.ts')).href);
    expect(scripts.moduleSourceFor('webpack://x/lib/b.ts')).toBeUndefined(); // app/lib/b.ts or other/lib/b.ts
    expect(scripts.moduleSourceFor('webpack://x/c.ts')).toBeUndefined();
  });
});
