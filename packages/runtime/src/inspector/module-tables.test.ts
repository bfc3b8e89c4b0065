import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { instrument } from '@trapdoor-js/transform';
import { tablesIn } from './module-tables.js';
import { adopt, allModules, isRegistered, moduleOf, register, type ModuleThunk } from '../modules.js';

const dir = mkdtempSync(join(tmpdir(), 'trapdoor-module-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Code on line 1 and no code-free line: the bindings and the table follow the last line.
const source = "export function spin(n) { let i = 0; while (i < n) i++; return i; } console.log(spin(3));\n";

describe('tablesIn', () => {
  it("reads the transform's table as written (version 2: JSON in a string), and as bundlers reprint it in other quotes", () => {
    const { code } = instrument(source, { filename: "/src/it's \\ \u2028.mjs" });
    const written = tablesIn(writeFile('written.mjs', code));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ v: 2, file: "/src/it's \\ \u2028.mjs" });
    expect(written[0]!.sources).toBeUndefined(); // [file]
    expect(written[0]!.sites.length).toBeGreaterThan(0);
    // The module's own table function gives the same table.
    const literal = /\/\*trapdoor:2\*\/('(?:[^'\\\n]|\\.)*')\}/.exec(code)![1]!;
    const json = new Function(`return ${literal}`)() as string;
    expect(JSON.parse(json)).toEqual(written[0]);
    // Reprinted by a bundler: in double quotes or backticks, on lines of their own.
    const table = { v: 2, file: '/src/a.ts', sites: [[0, 5, 2, 'spin', 'i,n', '10', 0, 5, 9, 12]], shifts: [1, 0, 12] };
    const text = JSON.stringify(table);
    const bundle = `function __td_M() {\n  return (\n    /*trapdoor:2*/\n    ${JSON.stringify(text)}\n  );\n}\nfunction __td2_M() {\n  return /*trapdoor:2*/ \`${text.replace('a.ts', 'b.ts')}\`;\n}\n`;
    expect(tablesIn(writeFile('reprinted-2.js', bundle))).toEqual([table, { ...table, file: '/src/b.ts' }]);
  });

  it('reads version 1 tables (object literals, from older transforms) as bundlers reprint them (spaces, lines, other quotes, !0)', () => {
    // esbuild's reprint: spaces after colons and commas, the table on lines of its own; a
    // minifier's booleans and quotes; a comment inside.
    const reprinted = `var a = 1;\nfunction __td_M() {\n  return (\n    /*trapdoor:1*/\n    { v: 1, file: '/src/a.ts', sources: [\`/src/a.ts\`], sites: [[0, 5, 2, "spin", "i,n", "10", 0]], shifts: [1, 0, 12], /* x */ inputMap: void 0, extra: !0 }\n  );\n}\n`;
    expect(tablesIn(writeFile('reprinted.js', reprinted))).toEqual([
      { v: 1, file: '/src/a.ts', sources: ['/src/a.ts'], sites: [[0, 5, 2, 'spin', 'i,n', '10', 0]], shifts: [1, 0, 12], inputMap: undefined, extra: true },
    ]);
  });

  it('reads several tables of a bundle in order; skips a marker not followed by a table, and never runs code', () => {
    (globalThis as { ranFromTable?: boolean }).ranFromTable = false;
    const text =
      '/*trapdoor:1*/{v:1,file:"/a.ts",sources:["/a.ts"],sites:[],shifts:[]}\n' +
      '/*trapdoor:1*/{v:1,file:(globalThis.ranFromTable = true),sources:[],sites:[],shifts:[]}\n' +
      '"/*trapdoor:1*/ in a string"\n' +
      '/*trapdoor:1*/{v:1,file:"/b.ts",sources:["/b.ts"],sites:[],shifts:[]}\n' +
      '/*trapdoor:2*/{v:2,file:"/not-a-string.ts",sites:[],shifts:[]}\n' +
      `/*trapdoor:2*/'{"v":1,"file":"/wrong-version.ts","sites":[],"shifts":[]}'\n` +
      `/*trapdoor:2*/'{"v":2,"file":"/c.ts","sites":[],"shifts":[]}'\n`;
    expect(tablesIn(writeFile('bundle.js', text)).map((table) => table.file)).toEqual(['/a.ts', '/b.ts', '/c.ts']);
    expect((globalThis as { ranFromTable?: boolean }).ranFromTable).toBe(false);
    expect(tablesIn(join(dir, 'missing.js'))).toEqual([]);
  });

  it("takes a loader's instrumented code for a file before the file's own text", () => {
    const file = writeFile('original.mjs', source); // on disk: the file as written, no table
    expect(tablesIn(file)).toEqual([]);
    const { code } = instrument(source, { filename: file });
    const key = Symbol.for('trapdoor.instrumented-source');
    (globalThis as Record<symbol, unknown>)[key] = (asked: string) => (asked === pathToFileURL(file).href ? code : undefined);
    try {
      expect(tablesIn(pathToFileURL(file).href).map((table) => table.file)).toEqual([file]);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[key];
    }
  });
});

describe('adopt', () => {
  it('registers a module from its table; its own registration later is the same module, not a second one', () => {
    const file = join(dir, 'late.mjs');
    const table = { v: 1 as const, file, sources: [file], sites: [], shifts: [] };
    const before = allModules().length;
    expect(adopt(table, pathToFileURL(file).href)).toBe(true);
    expect(adopt(table, pathToFileURL(file).href)).toBe(false);
    const adopted = allModules();
    expect(adopted).toHaveLength(before + 1);
    expect(adopted.at(-1)).toMatchObject({ file, loadedFrom: pathToFileURL(file).href });
    // The module's own thunk, registering when its body ends (import.meta.url: a file: URL).
    const own: ModuleThunk = () => ({ ...table });
    register(own, pathToFileURL(file).href);
    expect(isRegistered(own)).toBe(true);
    expect(allModules()).toHaveLength(before + 1);
    expect(moduleOf(own)).toBe(adopted.at(-1));
  });

  it("decodes a version 2 table (the JSON text the module's function returns) as the same module as its version 1 object", () => {
    const file = join(dir, 'both.mjs');
    const rows = [[0, 5, 2, 'spin', 'i,n', '10', 0, 6, 1, 12]] as [0, number, number, string, string, string, number, number, number, number][];
    const v1 = moduleOf(() => ({ v: 1, file, sources: [file], sites: rows, shifts: [5, 1, 30], bare: [[1, 0, 2, 1, 'f', 0]] }));
    const v2 = moduleOf(() => JSON.stringify({ v: 2, file, sites: rows, shifts: [5, 1, 30], bare: [[1, 0, 2, 1, 'f', 0]] }));
    expect({ ...v2, id: 0 }).toEqual({ ...v1, id: 0 });
    expect(v2.sources).toEqual([file]);
    expect(v2.sites[0]).toMatchObject({ kind: 'loop', line: 5, locals: ['i', 'n'], writable: [true, false], source: file, throwsReturned: true, passesArgs: true });
  });

  it('adopts nothing for a module that registered itself', () => {
    const file = join(dir, 'early.mjs');
    const table = { v: 1 as const, file, sources: [file], sites: [], shifts: [] };
    register(() => table, file);
    expect(adopt({ ...table }, pathToFileURL(file).href)).toBe(false);
  });
});

function writeFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
