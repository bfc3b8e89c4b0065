// Runs one real workload against a package directory (the original in node_modules, or an
// instrumented copy) and writes its output to a file. Prints one JSON line:
//   { "workload", "bytes", "sha256", "ms" }
// Usage: node workload.mjs <workload> <packageDir> <outputFile>
// Inputs are real files from the repository's node_modules (never from the package under test's
// copy, so both runs see identical inputs).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NM = path.join(ROOT, 'node_modules');
const [workload, pkgArg, outFile] = process.argv.slice(2);
const pkgDir = pkgArg && path.resolve(pkgArg);
if (!workload || !pkgArg || !outFile) throw new Error('usage: workload.mjs <workload> <packageDir> <outputFile>');

const load = (rel) => import(pathToFileURL(path.join(pkgDir, rel)).href);
const requireFrom = createRequire(path.join(pkgDir, 'package.json'));
const read = (rel) => readFileSync(path.join(NM, rel), 'utf8');
/** Paths in outputs are made relative to the repository so both runs print the same text. */
const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');

export const INPUTS = {
  'acorn-parse': ['prettier/index.mjs'],
  'acorn-parse-big': ['typescript/lib/typescript.js'],
  'marked-render': ['prettier/THIRD-PARTY-NOTICES.md', 'terser/README.md', 'terser/CHANGELOG.md', 'vite/LICENSE.md', '@babel/parser/CHANGELOG.md'],
  'terser-minify': ['acorn/dist/acorn.js', 'marked/lib/marked.esm.js'],
  'prettier-format': ['marked/lib/marked.esm.js', 'terser/README.md', '@jridgewell/trace-mapping/src/trace-mapping.ts'],
  'typescript-emit': ['@jridgewell/gen-mapping/src', '@jridgewell/trace-mapping/src'],
};

const workloads = {
  /** acorn: parse a large real ES module (with locations) and serialise the whole AST. */
  async 'acorn-parse'() {
    const acorn = requireFrom('./dist/acorn.js');
    const parts = [];
    for (const file of INPUTS['acorn-parse']) {
      const ast = acorn.parse(read(file), { ecmaVersion: 'latest', sourceType: 'module', locations: true });
      parts.push(JSON.stringify(ast, (k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof RegExp ? String(v) : v)));
    }
    return parts.join('\n');
  },
  /** acorn: parse typescript.js (9 MB) through acorn's ESM build and serialise a full walk of it
   *  (node types and positions; the full JSON would be too big for one string). */
  async 'acorn-parse-big'() {
    const acorn = await load('dist/acorn.mjs');
    const hash = createHash('sha256');
    let nodes = 0;
    for (const file of INPUTS['acorn-parse-big']) {
      const ast = acorn.parse(read(file), { ecmaVersion: 'latest', sourceType: 'script', ranges: true });
      const stack = [ast];
      while (stack.length) {
        const node = stack.pop();
        nodes++;
        hash.update(`${node.type}:${node.start}-${node.end}:${node.name ?? node.raw ?? node.operator ?? ''};`);
        for (const key of Object.keys(node)) {
          const v = node[key];
          if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) { if (v[i] && typeof v[i].type === 'string') stack.push(v[i]); }
          else if (v && typeof v === 'object' && typeof v.type === 'string') stack.push(v);
        }
      }
    }
    return `nodes ${nodes}\nwalk ${hash.digest('hex')}\n`;
  },
  /** marked: render large real markdown files (GFM) to HTML. */
  async 'marked-render'() {
    const { marked, Marked } = await load('lib/marked.esm.js');
    const out = [];
    for (const file of INPUTS['marked-render']) out.push(`<!-- ${file} -->\n` + marked.parse(read(file), { gfm: true, async: false }));
    const custom = new Marked({ renderer: { heading({ tokens, depth }) { return `<h${depth} class="x">${this.parser.parseInline(tokens)}</h${depth}>\n`; } } });
    out.push(custom.parse(read('terser/README.md')));
    out.push(JSON.stringify(marked.lexer(read('terser/CHANGELOG.md')).map((t) => t.type)));
    return out.join('\n');
  },
  /** terser: minify real files (compress + mangle) through terser's ES module entry. */
  async 'terser-minify'() {
    const { minify } = await load('main.js');
    const out = [];
    for (const file of INPUTS['terser-minify']) {
      const r = await minify(read(file), { compress: { passes: 2 }, mangle: true, module: file.endsWith('.esm.js'), format: { comments: false } });
      out.push(`// ${file}\n${r.code}`);
    }
    return out.join('\n');
  },
  /** prettier: format a real JS file, a markdown file and a TypeScript file (async API). */
  async 'prettier-format'() {
    const prettier = await load('index.mjs');
    const out = [];
    for (const file of INPUTS['prettier-format']) {
      const formatted = await prettier.format(read(file), { filepath: path.join(NM, file), printWidth: 100, singleQuote: true });
      out.push(`// ${file}\n${formatted}`);
    }
    return out.join('\n');
  },
  /** typescript: type-check and emit (JS + declarations) real TypeScript sources, and transpile them. */
  async 'typescript-emit'() {
    const ts = requireFrom('./lib/typescript.js');
    const out = [];
    for (const dir of INPUTS['typescript-emit']) {
      const abs = path.join(NM, dir);
      const rootNames = readdirSync(abs).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(abs, f));
      const options = {
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts'],
        types: [],
        declaration: true,
        strict: true,
        skipLibCheck: true,
        noEmitOnError: false,
        outDir: '/virtual-out',
      };
      const host = ts.createCompilerHost(options);
      const emitted = [];
      host.writeFile = (name, text) => emitted.push([rel(name), text]);
      const program = ts.createProgram(rootNames, options, host);
      const result = program.emit();
      const diagnostics = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
      out.push(`// ${dir}: ${program.getSourceFiles().length} source files, ${diagnostics.length} diagnostics`);
      for (const d of diagnostics) out.push(`diag ${d.file ? rel(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      for (const [name, text] of emitted.sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`// emitted ${name}\n${text}`);
      for (const file of rootNames) {
        const t = ts.transpileModule(readFileSync(file, 'utf8'), { fileName: file, compilerOptions: { target: ts.ScriptTarget.ES2015, module: ts.ModuleKind.CommonJS } });
        out.push(`// transpiled ${rel(file)}\n${t.outputText}`);
      }
    }
    return out.join('\n');
  },
};

const run = workloads[workload];
if (!run) throw new Error(`unknown workload ${workload}`);
const start = performance.now();
const output = await run();
const ms = Math.round(performance.now() - start);
writeFileSync(outFile, output);
const sha256 = createHash('sha256').update(output).digest('hex');
process.stdout.write(JSON.stringify({ workload, bytes: Buffer.byteLength(output), sha256, ms }) + '\n');
