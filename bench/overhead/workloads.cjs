// The workloads of `npm run bench:overhead`: real published packages doing real work, and the
// classic CPU benchmarks in ./workloads. CommonJS, so that one driver loads them on Node, Bun
// and Deno alike.
//
// Each workload names the files that make up the code under test (`files`, relative to the repo
// root; each variant of the bench has its own copy of them) and `setup(load, scale)`, which loads
// those files through `load(file)` (the variant's copy) and returns `{ run, output }`: `run()`
// does one unit of work (may return a promise), `output(result)` turns its result into the text
// that must be byte-identical across variants. `scale` is 1 for the benchmark and small for the
// harness test.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** A deterministic Markdown document of `sections` sections using most of CommonMark and GFM. */
function markdown(sections) {
  const out = [];
  for (let i = 0; i < sections; i++) {
    out.push(
      `## Section ${i}: *emphasis*, **strong** and \`code ${i}\``,
      '',
      `Paragraph ${i} with a [link](https://example.com/${i} "title ${i}"), an autolink <https://example.org/${i}>, ` +
        `a footnote-like [ref][r${i}], ~~struck~~ text and an image ![alt ${i}](/img/${i}.png). ` +
        `Line two of the paragraph, with \\*escaped\\* characters & entities &amp; <span>inline html</span>.`,
      '',
      `[r${i}]: https://example.net/ref/${i}`,
      '',
      `- item ${i}.1`,
      `- item ${i}.2 with **bold**`,
      `  - nested ${i}.2.1`,
      `1. first`,
      `2. second`,
      '',
      `> quote ${i}`,
      `> > nested quote`,
      '',
      '```js',
      `function f${i}(x) { return x * ${i}; }`,
      '```',
      '',
      `| a | b | c |`,
      `|---|:-:|--:|`,
      `| ${i} | ${i * 2} | ${i * 3} |`,
      '',
      i % 10 === 0 ? '---\n' : '',
    );
  }
  return out.join('\n');
}

const WORKLOADS = [
  {
    name: 'acorn',
    what: 'acorn 8 (UMD build) parsing terser\'s 1.1 MB bundle',
    files: ['node_modules/acorn/dist/acorn.js'],
    setup(load, scale) {
      const acorn = load('node_modules/acorn/dist/acorn.js');
      const full = scale < 1 ? '' : read('node_modules/terser/dist/bundle.min.js');
      const input = scale < 1 ? 'function f(a) { for (;;) { if (a) return a; } }' : full;
      return {
        run: () => acorn.parse(input, { ecmaVersion: 'latest', sourceType: 'script', locations: true }),
        output: (ast) => JSON.stringify(ast),
      };
    },
  },
  {
    name: 'marked',
    what: 'marked 18 (UMD build) rendering 300 Markdown sections',
    files: ['node_modules/marked/lib/marked.umd.js'],
    setup(load, scale) {
      const { Marked } = load('node_modules/marked/lib/marked.umd.js');
      const md = markdown(Math.max(2, Math.round(300 * scale)));
      const marked = new Marked({ gfm: true });
      return { run: () => marked.parse(md), output: (html) => html };
    },
  },
  {
    name: 'terser',
    what: 'terser 5 minifying the 16 KB Richards benchmark (compress + mangle)',
    files: ['node_modules/terser/dist/bundle.min.js'],
    setup(load, scale) {
      const terser = load('node_modules/terser/dist/bundle.min.js');
      const input = scale < 1 ? 'function add(a, b) { var s = a + b; return s; }' : read('bench/overhead/workloads/richards.cjs') + read('bench/overhead/workloads/navier-stokes.cjs');
      return {
        run: () => terser.minify(input, { compress: { passes: 1 }, mangle: true, sourceMap: false }),
        output: (r) => r.code,
      };
    },
  },
  {
    name: 'prettier',
    what: 'prettier 3 (standalone + babel and estree plugins) formatting 24 KB of JavaScript',
    files: ['node_modules/prettier/standalone.js', 'node_modules/prettier/plugins/babel.js', 'node_modules/prettier/plugins/estree.js'],
    setup(load, scale) {
      const prettier = load('node_modules/prettier/standalone.js');
      const plugins = [load('node_modules/prettier/plugins/babel.js'), load('node_modules/prettier/plugins/estree.js')];
      const input = scale < 1 ? 'const  a = [1,2,3].map(x=>x*2)' : read('bench/overhead/workloads/deltablue.cjs') + read('bench/overhead/workloads/richards.cjs');
      return {
        run: () => prettier.format(input, { parser: 'babel', plugins, printWidth: 100 }),
        output: (code) => code,
      };
    },
  },
  {
    name: 'typescript',
    what: 'the TypeScript 5.9 compiler type-checking and emitting trapdoor\'s transform package (10 files, 87 with declarations)',
    files: ['node_modules/typescript/lib/typescript.js'],
    setup(load, scale) {
      const ts = load('node_modules/typescript/lib/typescript.js');
      const dir = path.join(ROOT, 'packages/transform/src');
      const roots =
        scale < 1
          ? [path.join(dir, 'errors.ts')]
          : fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort().map((f) => path.join(dir, f));
      const options = {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        types: [],
        skipLibCheck: true,
        declaration: true,
        noLib: scale < 1,
      };
      // Files are read once (the disk is not what is measured); parsing and checking are redone every run.
      const host = ts.createCompilerHost(options);
      // The lib .d.ts files from the installed package: each variant's copy of typescript.js sits
      // in a folder of its own, without them, and would look for them there.
      const libs = path.join(ROOT, 'node_modules/typescript/lib');
      host.getDefaultLibLocation = () => libs;
      host.getDefaultLibFileName = (o) => path.join(libs, ts.getDefaultLibFileName(o));
      const texts = new Map();
      const readFile = host.readFile.bind(host);
      host.readFile = (f) => {
        if (!texts.has(f)) texts.set(f, readFile(f));
        return texts.get(f);
      };
      return {
        run() {
          const program = ts.createProgram(roots, options, host);
          const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
          const emitted = [];
          program.emit(undefined, (name, text) => emitted.push(path.relative(ROOT, name), text));
          return { diagnostics, emitted };
        },
        output: (r) => JSON.stringify(r),
      };
    },
  },
  {
    name: 'richards',
    what: 'Richards (OS task scheduler simulation), 800 runs',
    files: ['bench/overhead/workloads/richards.cjs'],
    setup(load, scale) {
      const m = load('bench/overhead/workloads/richards.cjs');
      const n = Math.max(1, Math.round(800 * scale));
      return { run: () => m.run(n), output: String };
    },
  },
  {
    name: 'deltablue',
    what: 'DeltaBlue (incremental constraint solver), 600 runs',
    files: ['bench/overhead/workloads/deltablue.cjs'],
    setup(load, scale) {
      const m = load('bench/overhead/workloads/deltablue.cjs');
      const n = Math.max(1, Math.round(600 * scale));
      return { run: () => m.run(n), output: String };
    },
  },
  {
    name: 'raytrace',
    what: 'RayTrace (Whitted ray tracer), 160x160 pixels',
    files: ['bench/overhead/workloads/raytrace.cjs'],
    setup(load, scale) {
      const m = load('bench/overhead/workloads/raytrace.cjs');
      const size = Math.max(4, Math.round(160 * scale));
      return { run: () => m.run(size), output: String };
    },
  },
  {
    name: 'navier-stokes',
    what: 'NavierStokes (stable-fluids solver, 128x128), 20 frames',
    files: ['bench/overhead/workloads/navier-stokes.cjs'],
    setup(load, scale) {
      const m = load('bench/overhead/workloads/navier-stokes.cjs');
      const frames = Math.max(1, Math.round(20 * scale));
      return { run: () => m.run(frames), output: String };
    },
  },
];

module.exports = { ROOT, WORKLOADS };
