import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatOf, hasModuleSyntax, isFileAsOnDisk, isTypeScript, stripTypes } from './typescript.js';

const root = mkdtempSync(join(tmpdir(), 'trapdoor-typescript-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, 'p-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('isTypeScript and formatOf', () => {
  it('.ts, .mts and .cts, not declaration files or .tsx', () => {
    expect(['a.ts', 'a.mts', 'a.cts', 'A.TS'].map(isTypeScript)).toEqual([true, true, true, true]);
    expect(['a.d.ts', 'a.d.mts', 'a.tsx', 'a.js'].map(isTypeScript)).toEqual([false, false, false, false]);
  });

  it("follows Node's rules: .mts ESM, .cts CommonJS, .ts by the nearest package.json, none above node_modules", () => {
    const dir = tree({
      'package.json': '{"type":"module"}',
      'src/a.ts': '',
      'cjs/package.json': '{"type":"commonjs"}',
      'cjs/b.ts': '',
      'cjs/c.mts': '',
      'plain/package.json': '{"name":"x"}',
      'plain/d.ts': '',
      'plain/e.cts': '',
      'node_modules/dep/f.ts': '',
    });
    expect(formatOf(join(dir, 'src', 'a.ts'))).toBe('module');
    expect(formatOf(join(dir, 'cjs', 'b.ts'))).toBe('commonjs');
    expect(formatOf(join(dir, 'cjs', 'c.mts'))).toBe('module');
    expect(formatOf(join(dir, 'plain', 'd.ts'))).toBeUndefined();
    expect(formatOf(join(dir, 'plain', 'e.cts'))).toBe('commonjs');
    // Node stops at a node_modules folder: the package above does not decide.
    expect(formatOf(join(dir, 'node_modules', 'dep', 'f.ts'))).toBeUndefined();
  });
});

describe('isFileAsOnDisk', () => {
  it('tells the file itself (with or without a BOM) from what another hook compiled it to', () => {
    const dir = tree({ 'a.ts': '\ufefflet a: number = 1;\n' });
    expect(isFileAsOnDisk('let a: number = 1;\n', join(dir, 'a.ts'))).toBe(true);
    expect(isFileAsOnDisk('\ufefflet a: number = 1;\n', join(dir, 'a.ts'))).toBe(true);
    expect(isFileAsOnDisk('let a = 1;\n//# sourceMappingURL=data:…', join(dir, 'a.ts'))).toBe(false);
    expect(isFileAsOnDisk('let a = 1;', join(dir, 'gone.ts'))).toBe(false);
  });
});

describe('hasModuleSyntax', () => {
  it('import, export, import.meta and top-level await make a module; require does not', () => {
    expect(hasModuleSyntax("import fs from 'node:fs';", 'a.ts')).toBe(true);
    expect(hasModuleSyntax('export const a = 1;', 'a.ts')).toBe(true);
    expect(hasModuleSyntax('console.log(import.meta.url);', 'a.ts')).toBe(true);
    expect(hasModuleSyntax('await Promise.resolve();', 'a.ts')).toBe(true);
    expect(hasModuleSyntax("const fs = require('node:fs'); module.exports = fs; import('x');", 'a.ts')).toBe(false);
    expect(hasModuleSyntax('return 1;', 'a.ts')).toBe(false); // CommonJS may return at the top level
  });
});

describe('stripTypes', () => {
  it('replaces types by spaces: every line and column stays the same, no map', () => {
    const code = [
      "import type { Shape } from './shapes.ts';",
      'interface Box<T> { value: T }',
      'function area<T extends Shape>(s: T, scale = 1 as number): number {',
      '  return s.size! * scale;',
      '}',
      'const n = area({ size: 2 } satisfies Shape) as unknown as number;',
    ].join('\n');
    const out = stripTypes(code, '/app/a.ts');
    expect(out.map).toBeUndefined();
    expect(out.code.split('\n').map((l) => l.length)).toEqual(code.split('\n').map((l) => l.length));
    expect(out.code.indexOf('return s.size')).toBe(code.indexOf('return s.size'));
    expect(out.code).not.toMatch(/interface|Shape|number|satisfies|: T/);
    expect(new Function(`${out.code.replace(/^import.*$/m, '')}; return n;`)()).toBe(2);
  });

  it('compiles what types-only stripping refuses (enum, namespace, parameter properties) with a map to the file', () => {
    const code = 'enum Kind { A = 1, B }\nnamespace N { export const x = Kind.B; }\nclass C { constructor(private readonly v: number) {} get() { return this.v; } }\nexport const out = [Kind.A, N.x, new C(3).get()];\n';
    const out = stripTypes(code, '/app/enums.ts');
    expect(out.map).toMatchObject({ version: 3, sources: ['/app/enums.ts'], sourcesContent: [code] });
    expect(out.code).not.toMatch(/private|enum|namespace/);
    expect(new Function(`${out.code.replace('export const', 'const')}; return out;`)()).toEqual([1, 2, 3]);
  });

  it("keeps `import type` in a CommonJS file, as Node's own stripping does", () => {
    const out = stripTypes("import type { A } from './a';\nconst a: A = require('./a');\n", '/app/c.cts');
    expect(out.code).toBe(`${' '.repeat(29)}\nconst a    = require('./a');\n`);
  });

  it('a syntax error: a SyntaxError with file:line:column and the line itself, no frame of trapdoor', () => {
    const code = 'const a = 1;\nfunction f(x: ) {}\n';
    let error: (SyntaxError & { code?: string }) | undefined;
    try {
      stripTypes(code, '/app/bad.ts');
    } catch (e) {
      error = e as SyntaxError;
    }
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error!.code).toBe('ERR_INVALID_TYPESCRIPT_SYNTAX');
    expect(error!.message).toMatch(/^\/app\/bad\.ts:2:15: Unexpected token/);
    expect(error!.stack).toBe(`/app/bad.ts:2\nfunction f(x: ) {}\n              ^\n\nSyntaxError: ${error!.message}\n    at /app/bad.ts:2:15`);
  });
});
