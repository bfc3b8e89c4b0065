import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@babel/parser';
import { describe, expect, it } from 'vitest';
import { importSpecifiers } from './import-specifiers.js';

const values = (source: string) => importSpecifiers(source).map((s) => s.value);

describe('importSpecifiers', () => {
  it('finds every import and re-export form', () => {
    const source = [
      `import a from 'a';`,
      `import * as b from "b";`,
      `import c, { d as e, "f-g" as f } from 'c';`,
      `import {\n  h,\n  i,\n} from 'h';`,
      `import 'side';`,
      `import from from 'from';`,
      `import { from as x } from 'from2';`,
      `import json from './data.json' with { type: 'json' };`,
      `export * from 'star';`,
      `export * as ns from 'ns';`,
      `export { j, k as l } from 'named';`,
      `const m = await import('dynamic');`,
      `import(/* a comment */ "dynamic2", { with: {} });`,
    ].join('\n');
    expect(values(source)).toEqual(['a', 'b', 'c', 'h', 'side', 'from', 'from2', './data.json', 'star', 'ns', 'named', 'dynamic', 'dynamic2']);
  });

  it('gives the range of the literal, quotes included', () => {
    const source = `import x from 'pkg';`;
    const [found] = importSpecifiers(source);
    expect(source.slice(found!.start, found!.end)).toBe(`'pkg'`);
  });

  it('ignores what only looks like an import: comments, strings, templates, regular expressions, properties', () => {
    const source = [
      `// import a from 'comment';`,
      `/* export * from 'block' */`,
      `const s = "import b from 'string'";`,
      'const t = `import c from ${"d"} \'template\'`;',
      `const r = /import e from 'regex'/g;`,
      `const q = a / 2; const w = b / 3; // division, not a regex`,
      `obj.import('property');`,
      `const u = import.meta.url;`,
      `export { local };`,
      `export default function f() {}`,
      `const v = \`\${ { a: 1 }.a } \${\`nested \${'x'}\`}\`; import('after-templates');`,
      `if (x) { y = 1 } /re'gex/.test(z); import('after-regex');`,
      `return /[/']/.test(s) && import('after-class');`,
    ].join('\n');
    expect(values(source)).toEqual(['after-templates', 'after-regex', 'after-class']);
  });

  it('skips a dynamic import whose argument is not a plain string', () => {
    expect(values('import(name); import(`t`); import("a" + b);')).toEqual([]);
  });

  it("finds what @babel/parser finds in every ES module of trapdoor's loader, transform and runtime, and their dependencies", () => {
    const root = fileURLToPath(new URL('../../../../../', import.meta.url));
    const require = createRequire(join(root, 'packages/transform/package.json'));
    const packages = [
      join(root, 'packages/trapdoor/dist'),
      join(root, 'packages/transform/dist'),
      join(root, 'packages/runtime/dist/esm'),
      ...['magic-string', '@jridgewell/trace-mapping', '@jridgewell/remapping', '@jridgewell/gen-mapping', '@jridgewell/sourcemap-codec', '@jridgewell/resolve-uri'].map((name) =>
        dirname(require.resolve(name)),
      ),
      join(dirname(createRequire(join(root, 'packages/runtime/package.json')).resolve('ws')), ''),
    ];
    let files = 0;
    for (const file of packages.flatMap((dir) => moduleFiles(dir))) {
      const source = readFileSync(file, 'utf8');
      let expected: string[];
      try {
        expected = babelSpecifiers(source);
      } catch {
        continue; // not an ES module (a CommonJS .js)
      }
      files++;
      expect(values(source), file).toEqual(expected);
    }
    expect(files).toBeGreaterThan(40);
  });
});

function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...moduleFiles(path));
    else if (/\.m?js$/.test(name)) out.push(path);
  }
  return out;
}

/** The specifiers as a parser sees them, in source order. */
function babelSpecifiers(source: string): string[] {
  const ast = parse(source, { sourceType: 'module', errorRecovery: false });
  const found: Array<{ start: number; value: string }> = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const n = node as { type?: string; source?: { start: number; value: string; type: string } | null; arguments?: Array<{ type: string; start: number; value: string }>; callee?: { type: string } };
    if ((n.type === 'ImportDeclaration' || n.type === 'ExportAllDeclaration' || n.type === 'ExportNamedDeclaration') && n.source) {
      found.push({ start: n.source.start, value: n.source.value });
    }
    if (n.type === 'ImportExpression' && (n.source as { type: string } | undefined)?.type === 'StringLiteral') found.push({ start: n.source!.start, value: n.source!.value });
    if (n.type === 'CallExpression' && n.callee?.type === 'Import' && n.arguments?.[0]?.type === 'StringLiteral') found.push({ start: n.arguments[0].start, value: n.arguments[0].value });
    for (const [key, value] of Object.entries(n)) {
      if (key !== 'loc' && key !== 'extra' && key !== 'comments' && key !== 'leadingComments' && key !== 'trailingComments' && key !== 'innerComments') visit(value);
    }
  };
  visit(ast.program);
  return found.sort((a, b) => a.start - b.start).map((f) => f.value);
}
