// npm run bench:build — what trapdoor's bundler plugins cost a build, side by side in one run.
//
// The project: rxjs's own TypeScript sources (node_modules/rxjs/src, 251 modules, copied out), bundled from
// src/index.ts by esbuild, Vite (a library build) and webpack (ts-loader, transpile only),
// each plain, with trapdoor's plugin, and for Vite with vite-plugin-istanbul (what a user would
// otherwise reach for to put code in every function). Rounds alternate the variants; medians.
// Then, for the esbuild bundle: its size raw and gzipped, and the time and memory to load it,
// plain, instrumented, and as a production debug build (`production: true`).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const out = path.join(root, 'bench', '.tmp', 'build');
// A copy outside node_modules, as a project's own sources are (vite-plugin-istanbul never
// instruments node_modules, and trapdoor's plugins leave it alone unless `include`d).
const src = path.join(out, 'rxjs-src');
rmSync(src, { recursive: true, force: true });
cpSync(path.join(root, 'node_modules', 'rxjs', 'src'), src, { recursive: true });
const entry = path.join(src, 'index.ts');
const tsconfig = path.join(out, 'tsconfig.json');
writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { module: 'esnext', target: 'es2020', moduleResolution: 'node', skipLibCheck: true }, include: ['rxjs-src'] }));

const esbuild = await import('esbuild');
const { build: viteBuild } = await import('vite');
const webpack = (await import('webpack')).default;
const trapdoorEsbuild = (await import('trapdoor-js/esbuild')).default;
const trapdoorVite = (await import('trapdoor-js/vite')).default;
const trapdoorWebpack = (await import('trapdoor-js/webpack')).default;
const istanbul = (await import('vite-plugin-istanbul')).default;
const { parse } = await import('@babel/parser');
const { instrument } = await import('@trapdoor-js/transform');

const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(file);
  }
})(src);

const dirFor = (name) => {
  const dir = path.join(out, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const builds = {
  esbuild: {
    plain: (dir) => esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(dir, 'index.mjs'), logLevel: 'silent', sourcemap: true }),
    trapdoor: (dir, options = {}) =>
      esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(dir, 'index.mjs'), logLevel: 'silent', sourcemap: true, plugins: [trapdoorEsbuild(options)] }),
  },
  vite: {
    plain: (dir) => vite(dir, []),
    trapdoor: (dir) => vite(dir, [trapdoorVite({ client: true })]),
    istanbul: (dir) => vite(dir, [istanbul({ include: 'rxjs-src/**', extension: ['.ts'], forceBuildInstrument: true, requireEnv: false, cwd: out })]),
  },
  webpack: {
    plain: (dir) => pack(dir, []),
    trapdoor: (dir) => pack(dir, [trapdoorWebpack()]),
  },
};

function vite(dir, plugins) {
  return viteBuild({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins,
    // A library build for the browser: vite-plugin-istanbul leaves server (SSR) code alone, so
    // all three variants build the client way (trapdoor with `client: true`).
    build: { lib: { entry, formats: ['es'], fileName: 'index' }, outDir: dir, sourcemap: true, minify: false, emptyOutDir: true, rollupOptions: { shimMissingExports: true, onwarn: () => {} } },
  });
}

function pack(dir, plugins) {
  return new Promise((resolve, reject) => {
    const compiler = webpack({
      mode: 'production',
      target: 'node',
      entry,
      devtool: 'source-map',
      output: { path: dir, filename: 'index.cjs', library: { type: 'commonjs2' } },
      resolve: { extensions: ['.ts', '.js'] },
      module: { rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true, configFile: tsconfig } }] },
      plugins,
    });
    compiler.run((error, stats) => compiler.close(() => (error ? reject(error) : stats.hasErrors() ? reject(new Error(stats.toString('errors-only'))) : resolve())));
  });
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

console.log(`bench:build — ${files.length} TypeScript modules of rxjs ${require('rxjs/package.json').version}, ${ROUNDS} rounds, medians`);
console.log(`node ${process.version}; ${os.cpus().length} CPUs; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// The reference: what parsing every file once costs with @babel/parser, and instrument() alone.
const texts = files.map((f) => readFileSync(f, 'utf8'));
const parseMs = [];
const instrumentMs = [];
for (let r = 0; r < ROUNDS; r++) {
  parseMs.push(await timed(() => texts.forEach((code, i) => parse(code, { sourceType: 'module', plugins: ['typescript'], sourceFilename: files[i] }))));
  instrumentMs.push(await timed(() => texts.forEach((code, i) => instrument(code, { filename: files[i] }))));
}
const bareParse = median(parseMs);

// Warm-up: one build of each (module loading, caches of the bundlers' own).
for (const [tool, variants] of Object.entries(builds)) for (const [name, run] of Object.entries(variants)) await run(dirFor(`${tool}-${name}`));
const times = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [tool, variants] of Object.entries(builds)) {
    for (const [name, run] of Object.entries(variants)) {
      ((times[tool] ??= {})[name] ??= []).push(await timed(() => run(dirFor(`${tool}-${name}`))));
    }
  }
}

console.log(`\nbare @babel/parser parse of the ${files.length} files: ${bareParse.toFixed(0)} ms; trapdoor instrument() of them: ${median(instrumentMs).toFixed(0)} ms\n`);
console.log('| bundler | plain ms | with trapdoor ms | trapdoor adds ms | adds / bare parse | with vite-plugin-istanbul ms |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [tool, variants] of Object.entries(times)) {
  const plain = median(variants.plain);
  const ours = median(variants.trapdoor);
  const added = ours - plain;
  const ist = variants.istanbul ? `${median(variants.istanbul).toFixed(0)} (${(median(variants.istanbul) / plain).toFixed(2)}x)` : '—';
  console.log(`| ${tool} | ${plain.toFixed(0)} | ${ours.toFixed(0)} (${(ours / plain).toFixed(2)}x) | ${added.toFixed(0)} | ${(added / bareParse).toFixed(2)} | ${ist} |`);
}

// The output: size, load time and memory of the esbuild bundle.
const variants = { plain: dirFor('out-plain'), trapdoor: dirFor('out-trapdoor'), production: dirFor('out-production') };
await builds.esbuild.plain(variants.plain);
await builds.esbuild.trapdoor(variants.trapdoor);
await builds.esbuild.trapdoor(variants.production, { production: true });
const probe = "const t0 = performance.now(); await import(process.argv[1]); const ms = performance.now() - t0; console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }));";
const loads = {};
for (let i = 0; i < LOADS; i++) {
  for (const [name, dir] of Object.entries(variants)) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe, path.join(dir, 'index.mjs')], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`loading the ${name} bundle failed:\n${result.stderr}`);
    (loads[name] ??= []).push(JSON.parse(result.stdout));
  }
}
console.log('\nesbuild bundle of rxjs (the production build arms nothing until started with TRAPDOOR_ARM=1)\n');
console.log('| bundle | bytes | gzipped | import ms | RSS after import MB |');
console.log('|---|---:|---:|---:|---:|');
const base = {};
for (const [name, dir] of Object.entries(variants)) {
  const code = readFileSync(path.join(dir, 'index.mjs'));
  const row = { bytes: code.length, gzip: gzipSync(code).length, ms: median(loads[name].map((l) => l.ms)), rss: median(loads[name].map((l) => l.rss)) / 2 ** 20 };
  if (name === 'plain') Object.assign(base, row);
  const x = (key) => (name === 'plain' ? '' : ` (${(row[key] / base[key]).toFixed(2)}x)`);
  console.log(`| ${name} | ${row.bytes}${x('bytes')} | ${row.gzip}${x('gzip')} | ${row.ms.toFixed(1)}${x('ms')} | ${row.rss.toFixed(1)}${x('rss')} |`);
}
console.log(`\nload average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
