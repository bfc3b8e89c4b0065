// npm run bench:build — what trapdoor's bundler plugins cost a build, side by side in one run.
//
// The project: rxjs's own TypeScript sources (node_modules/rxjs/src, 251 modules, copied out), bundled from
// src/index.ts by esbuild, Vite (a library build) and webpack (ts-loader, transpile only),
// each plain, with trapdoor's plugin, and for Vite with vite-plugin-istanbul (what a user would
// otherwise reach for to put code in every function). webpack twice: in production mode (terser
// minifies the bundle, checks and tables too) and in development mode (no minifier), so that the
// table shows terser's share of what trapdoor adds. Rounds alternate the variants; medians.
// trapdoor parses with oxc-parser where it loads (packages/transform/src/parse.ts); "Babel parse"
// is the same plugin with @babel/parser forced. Each parser is timed in processes of its own,
// alternating (a bundler's process uses one: with both in one process, the analysis's inline
// caches see two AST shapes and both get slower), each process warming up, then timing plain
// and instrumented builds in turn.
// Each time is taken twice: wall time, and CPU time (the process's, all its threads: Rolldown's
// and oxc's native work included; on Linux also its child processes', esbuild's service), which
// holds when other work shares the machine and wall times stretch.
// Each bundler also with a pass-through plugin of the same kind (`floor`: esbuild's onLoad round
// trip, unplugin's transform hook), so the tables show what any plugin there pays and what
// trapdoor adds beyond it; and with the `cache` option (`cached`), its store warm.
// esbuild and Vite also with trapdoor's answers recorded once and handed back (`output`): what the
// bundler's own work on trapdoor's output costs, without the transform.
// esbuild once more as a context rebuilt with nothing changed (a watch or serve session).
// Then, for the esbuild bundle: its size raw and gzipped, and the time and memory to load it,
// plain, instrumented, and as a production debug build (`production: true`).
// BENCH_BASELINE=<folder>: an A/B of two builds of the plugins in the same rounds. The folder holds a
// node_modules with another build's trapdoor-js and @trapdoor-js/transform (copies of their
// package.json and dist); each bundler gets a third variant, `baseline`, with that build's plugin,
// timed in the same rounds, and the tables a column of the paired change (the median over rounds of
// each round's own trapdoor minus baseline). The rest (the runtime, oxc, Babel) resolves as here.
// BENCH_SOURCEMAP=0: the esbuild, Vite and webpack builds without source maps.
// BENCH_TOOLS=esbuild,vite: only those bundlers' rows. Each bundler builds in processes of its own
// (as in a user's build; the references in another), since on Node 20 esbuild's plugin
// (instrument(), raw transfer) and the others (instrumentAsync, JSON) hand the analysis objects of
// other hidden classes, and a build pays for the garbage of the bundlers before it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Set in the child processes that time one parser's builds (see the end of this file). */
const CHILD = process.env.BENCH_BUILD_PARSER;
/** Processes per parser; each times ROUNDS rounds. */
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 2);
const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const BASELINE = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : undefined;
const SOURCEMAP = process.env.BENCH_SOURCEMAP !== '0';
const TOOLS = process.env.BENCH_TOOLS ? process.env.BENCH_TOOLS.split(',') : undefined;
// BENCH_OUT: another scratch directory, so that two runs (an A/B of two builds of the transform) can go at once.
const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(root, 'bench', '.tmp', 'build');
// A copy outside node_modules, as a project's own sources are (vite-plugin-istanbul never
// instruments node_modules, and trapdoor's plugins leave it alone unless `include`d).
const src = path.join(out, 'rxjs-src');
// The bundles import @trapdoor-js/runtime from where they are: a scratch folder outside the
// repository gets a node_modules link to it.
if (!out.startsWith(root + path.sep)) {
  const link = path.join(out, 'node_modules', '@trapdoor-js', 'runtime');
  if (!existsSync(link)) {
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(realpathSync(path.join(root, 'node_modules', '@trapdoor-js', 'runtime')), link, 'dir');
  }
}
rmSync(src, { recursive: true, force: true });
cpSync(path.join(root, 'node_modules', 'rxjs', 'src'), src, { recursive: true });
const entry = path.join(src, 'index.ts');
const tsconfig = path.join(out, 'tsconfig.json');
// ts-loader makes maps as a project with webpack maps would have it make them (else webpack's map
// ends at its JavaScript); the `afterLoaders` variants chain through them.
writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { module: 'esnext', target: 'es2020', moduleResolution: 'node', skipLibCheck: true, sourceMap: SOURCEMAP }, include: ['rxjs-src'] }));

const esbuild = await import('esbuild');
const { build: viteBuild } = await import('vite');
const webpack = (await import('webpack')).default;
const trapdoorEsbuild = (await import('trapdoor-js/esbuild')).default;
const trapdoorVite = (await import('trapdoor-js/vite')).default;
const trapdoorWebpack = (await import('trapdoor-js/webpack')).default;
const istanbul = (await import('vite-plugin-istanbul')).default;
const { createUnplugin } = await import('unplugin');
const { parse } = await import('@babel/parser');
const { instrument } = await import('@trapdoor-js/transform');
// The transform's internal parser switch, in the module instance the plugins use.
const transformEntry = realpathSync(createRequire(require.resolve('trapdoor-js/package.json')).resolve('@trapdoor-js/transform'));
const { useParser, parserInUse, transferInUse } = await import(pathToFileURL(path.join(path.dirname(transformEntry), 'parse.js')).href);
const oxc = createRequire(transformEntry)('oxc-parser');
// The baseline build's plugins and its transform's parser switch (see the header).
const baseline = {};
if (BASELINE !== undefined) {
  const requireBase = createRequire(path.join(BASELINE, 'noop.js'));
  for (const tool of ['esbuild', 'vite', 'webpack']) baseline[tool] = (await import(pathToFileURL(requireBase.resolve(`trapdoor-js/${tool}`)).href)).default;
  const baseTransform = realpathSync(createRequire(requireBase.resolve('trapdoor-js/package.json')).resolve('@trapdoor-js/transform'));
  if (baseTransform === transformEntry) throw new Error(`BENCH_BASELINE: ${BASELINE} resolves the same transform as this checkout (${transformEntry})`);
  baseline.useParser = (await import(pathToFileURL(path.join(path.dirname(baseTransform), 'parse.js')).href)).useParser;
}

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

const esbuildTrapdoor = (dir, options = {}, plugin = trapdoorEsbuild) =>
  esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(dir, 'index.mjs'), logLevel: 'silent', sourcemap: SOURCEMAP, plugins: [plugin(options)] });
const viteTrapdoor = (dir, plugin = trapdoorVite) => vite(dir, [plugin({ client: true })]);
// A watch or serve session: one esbuild context per variant, made by its first (warm-up) build, then
// rebuilt with nothing changed (esbuild calls every onLoad again; the plugin answers unchanged modules
// as it did, esbuild-load.ts).
const contexts = {};
const esbuildRebuild = (name, plugins) => async (dir) => {
  contexts[name] ??= await esbuild.context({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(dir, 'index.mjs'), logLevel: 'silent', sourcemap: SOURCEMAP, plugins: plugins() });
  await contexts[name].rebuild();
};
const webpackTrapdoor = (dir, mode, plugin = trapdoorWebpack, options = {}) => pack(dir, [plugin(options)], mode);
const hasBaseline = BASELINE !== undefined;
// The floor: a plugin of the same kind that changes nothing. esbuild: an onLoad with trapdoor's
// filter that reads each file and hands it back (the round trip through esbuild's plugin protocol
// that any onLoad pays); Vite and webpack: an unplugin transform with trapdoor's filter that
// returns the code as it came (webpack: unplugin's loader). What trapdoor adds beyond it is its own.
const passThroughEsbuild = () => ({
  name: 'pass-through',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/, namespace: 'file' }, (args) =>
      args.path.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { contents: readFileSync(args.path, 'utf8'), loader: 'ts', resolveDir: path.dirname(args.path) },
    );
  },
});
const passThrough = createUnplugin(() => ({ name: 'pass-through', transform: { filter: { id: { include: /\.[cm]?[jt]sx?$/, exclude: /node_modules/ } }, handler: (code) => ({ code, map: null }) } }));
// `output`: trapdoor's own answers, recorded in the variant's warm-up build and handed back as they
// were in the timed ones: the plugin as it is, but for the transform (each module instrumented once).
// What it adds over plain is the bundler's own work on trapdoor's output (the checks, the tables,
// the maps, the plugin's round trip; the runtime stays external, as by default), which no transform, however fast, saves.
const recorded = { esbuild: new Map(), vite: new Map() };
const replayingEsbuild = () => {
  const real = trapdoorEsbuild();
  return {
    name: real.name,
    setup(build) {
      const onLoad = (options, callback) =>
        build.onLoad(options, async (args) => {
          const known = recorded.esbuild.get(args.path);
          if (known !== undefined) return known.answer && { ...known.answer };
          const answer = await callback(args);
          recorded.esbuild.set(args.path, { answer });
          return answer;
        });
      return real.setup(new Proxy(build, { get: (target, key) => (key === 'onLoad' ? onLoad : Reflect.get(target, key)) }));
    },
  };
};
const replayingVite = () => {
  const plugin = trapdoorVite({ client: true });
  const { handler } = plugin.transform;
  plugin.transform = {
    ...plugin.transform,
    async handler(code, id) {
      if (recorded.vite.has(id)) return recorded.vite.get(id);
      const result = await handler.call(this, code, id);
      recorded.vite.set(id, result);
      return result;
    },
  };
  return plugin;
};
const allBuilds = {
  esbuild: {
    plain: (dir) => esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: path.join(dir, 'index.mjs'), logLevel: 'silent', sourcemap: SOURCEMAP }),
    trapdoor: (dir) => esbuildTrapdoor(dir),
    baseline: hasBaseline ? (dir) => esbuildTrapdoor(dir, {}, baseline.esbuild) : undefined,
    floor: (dir) => esbuildTrapdoor(dir, {}, passThroughEsbuild),
    output: (dir) => esbuildTrapdoor(dir, {}, replayingEsbuild),
    cached: (dir) => esbuildTrapdoor(dir, { cache: true }),
  },
  'esbuild-rebuild': {
    plain: esbuildRebuild('plain', () => []),
    trapdoor: esbuildRebuild('trapdoor', () => [trapdoorEsbuild()]),
    baseline: hasBaseline ? esbuildRebuild('baseline', () => [baseline.esbuild()]) : undefined,
  },
  vite: {
    plain: (dir) => vite(dir, []),
    trapdoor: (dir) => viteTrapdoor(dir),
    floor: (dir) => vite(dir, [passThrough.vite()]),
    output: (dir) => vite(dir, [replayingVite()]),
    cached: (dir) => vite(dir, [trapdoorVite({ client: true, cache: true })]),
    baseline: hasBaseline ? (dir) => viteTrapdoor(dir, baseline.vite) : undefined,
    istanbul: CHILD === 'babel' || hasBaseline ? undefined : (dir) => vite(dir, [istanbul({ include: 'rxjs-src/**', extension: ['.ts'], forceBuildInstrument: true, requireEnv: false, cwd: out })]),
  },
  webpack: {
    plain: (dir) => pack(dir, []),
    trapdoor: (dir) => webpackTrapdoor(dir),
    afterLoaders: (dir) => webpackTrapdoor(dir, undefined, trapdoorWebpack, { afterLoaders: true }),
    baseline: hasBaseline ? (dir) => webpackTrapdoor(dir, undefined, baseline.webpack) : undefined,
  },
  'webpack-dev': {
    plain: (dir) => pack(dir, [], 'development'),
    trapdoor: (dir) => webpackTrapdoor(dir, 'development'),
    floor: (dir) => pack(dir, [passThrough.webpack()], 'development'),
    cached: (dir) => webpackTrapdoor(dir, 'development', trapdoorWebpack, { cache: true }),
    afterLoaders: (dir) => webpackTrapdoor(dir, 'development', trapdoorWebpack, { afterLoaders: true }),
    baseline: hasBaseline ? (dir) => webpackTrapdoor(dir, 'development', baseline.webpack) : undefined,
  },
};
const builds = Object.fromEntries(Object.entries(allBuilds).filter(([tool]) => TOOLS === undefined || TOOLS.includes(tool)));
/** The tables' names of the builds. */
const LABELS = { esbuild: 'esbuild', 'esbuild-rebuild': 'esbuild, a context\'s rebuild (nothing changed)', vite: 'vite', webpack: 'webpack (production)', 'webpack-dev': 'webpack (development)' };

function vite(dir, plugins) {
  return viteBuild({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins,
    // A library build for the browser: vite-plugin-istanbul leaves server (SSR) code alone, so
    // all three variants build the client way (trapdoor with `client: true`).
    build: { lib: { entry, formats: ['es'], fileName: 'index' }, outDir: dir, sourcemap: SOURCEMAP, minify: false, emptyOutDir: true, rollupOptions: { shimMissingExports: true, onwarn: () => {} } },
  });
}

function pack(dir, plugins, mode = 'production') {
  return new Promise((resolve, reject) => {
    const compiler = webpack({
      mode,
      target: 'node',
      entry,
      devtool: SOURCEMAP ? 'source-map' : false,
      output: { path: dir, filename: 'index.cjs', library: { type: 'commonjs2' } },
      resolve: { extensions: ['.ts', '.js'] },
      module: { rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true, configFile: tsconfig } }] },
      plugins,
    });
    compiler.run((error, stats) => compiler.close(() => (error ? reject(error) : stats.hasErrors() ? reject(new Error(stats.toString('errors-only'))) : resolve())));
  });
}

/** CPU ms of this process's descendants (esbuild's service), from /proc; 0 where there is none. */
function childCpu() {
  const clockTick = 10; // ms: Linux's USER_HZ is 100
  const children = (pid) => {
    let tasks;
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
    return tasks.flatMap((task) => {
      try {
        return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean);
      } catch {
        return [];
      }
    }).flatMap((child) => [child, ...children(child)]);
  };
  let ms = 0;
  for (const child of children(process.pid)) {
    try {
      const fields = readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1].split(' ');
      ms += (Number(fields[11]) + Number(fields[12])) * clockTick; // utime, stime
    } catch {
      // gone
    }
  }
  return ms;
}

/** Wall and CPU ms of `fn` (see the header). */
async function timed(fn) {
  const kids = childCpu();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { ms, cpu: (used.user + used.system) / 1000 + childCpu() - kids };
}

const texts = files.map((f) => readFileSync(f, 'utf8'));

if (CHILD !== undefined) {
  // One parser's process: one bundler's builds (BENCH_TOOLS), or the references alone (BENCH_TOOLS=none). Prints JSON for the parent.
  // The `cached` variants' store, empty at the start: the warm-up build fills it, the rounds hit it.
  process.env.TRAPDOOR_CACHE_DIR = path.join(out, `cache-${CHILD}-${TOOLS?.join('+') ?? 'all'}`);
  rmSync(process.env.TRAPDOOR_CACHE_DIR, { recursive: true, force: true });
  useParser(CHILD);
  baseline.useParser?.(CHILD);
  const ms = { parse: [], oxcParse: [], instrument: [] };
  const cpu = { parse: [], oxcParse: [], instrument: [] };
  const push = (key, { ms: wall, cpu: used }) => (ms[key].push(wall), cpu[key].push(used));
  const runs = Object.entries(builds).flatMap(([tool, variants]) => Object.entries(variants).filter(([, run]) => run).map(([name, run]) => ({ tool, name, run })));
  // Warm-up: one build of each (module loading, caches of the bundlers' own).
  for (const { tool, name, run } of runs) await run(dirFor(`${tool}-${name}-${CHILD}`));
  const times = {};
  const cpuTimes = {};
  // Each round starts each bundler's variants at another one: a build pays for the garbage of the one
  // before it, which in a fixed order was always the same (webpack development, an A/A run of two
  // copies of one build: +144 ms wall / +108 CPU for the variant after the plain one).
  const rotated = (r) => Object.keys(builds).flatMap((tool) => {
    const own = runs.filter((run) => run.tool === tool);
    return own.map((_, i) => own[(i + r) % own.length]);
  });
  for (let r = 0; r < ROUNDS; r++) {
    for (const { tool, name, run } of rotated(r)) {
      const { ms: wall, cpu: used } = await timed(() => run(dirFor(`${tool}-${name}-${CHILD}`)));
      ((times[tool] ??= {})[name] ??= []).push(wall);
      ((cpuTimes[tool] ??= {})[name] ??= []).push(used);
    }
  }
  // The references, in a process of their own that builds nothing (BENCH_TOOLS=none): on Node 20
  // instrument() gets its AST by raw transfer and the unplugin hooks' instrumentAsync through
  // JSON, whose objects have other hidden classes, so a reference run in a build's process made the
  // Vite row's analysis polymorphic (+13..+19 ms CPU with the references first), and after the
  // builds they timed the bundlers' garbage too. Round -1 warms up (compiling the parsers' code), untimed.
  for (let r = -1; runs.length === 0 && r < ROUNDS; r++) {
    const keep = r < 0 ? () => {} : push;
    keep('parse', await timed(() => texts.forEach((code, i) => parse(code, { sourceType: 'module', plugins: ['typescript'], sourceFilename: files[i] }))));
    keep('oxcParse', await timed(() => texts.forEach((code, i) => oxc.parseSync(files[i], code, { sourceType: 'module', lang: 'ts' }).program)));
    keep('instrument', await timed(() => texts.forEach((code, i) => instrument(code, { filename: files[i] }).insertMap)));
  }
  console.log(JSON.stringify({ ms, cpu, times, cpuTimes }));
  process.exit(0);
}

console.log(`bench:build — ${files.length} TypeScript modules of rxjs ${require('rxjs/package.json').version}, ${PROCESSES} processes per parser x ${ROUNDS} rounds, medians`);
console.log(`node ${process.version}; ${os.cpus().length} CPUs; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (!SOURCEMAP) console.log('BENCH_SOURCEMAP=0: builds without source maps');
if (BASELINE !== undefined) console.log(`BENCH_BASELINE: a baseline variant with the plugins of ${BASELINE}`);
// transferInUse: oxc-parser's own raw transfer (Node 22+), the transform's (Node 20: parse-oxc.ts, RawTransfer), or JSON.
const transfer = transferInUse?.() ?? (oxc.rawTransferSupported() ? 'raw' : 'json');
const handover = transfer !== 'raw' ? 'JSON transfer' : oxc.rawTransferSupported() ? 'raw transfer' : "instrument() (esbuild) by the transform's own raw transfer, the unplugin hooks' instrumentAsync by JSON";
console.log(`trapdoor parses with ${parserInUse()}${parserInUse() === 'oxc' ? ` (oxc-parser ${createRequire(transformEntry)('oxc-parser/package.json').version}, ${handover})` : ''}`);

// Cold: what a one-off build pays (a CI build, a fresh `vite build`): a new process that loads
// the transform and instruments every file once, with each parser in turn.
const coldProbe = `const [entry, parseJs, list, parser] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const t0 = performance.now();
const { instrument } = await import(entry);
(await import(parseJs)).useParser(parser);
for (const file of JSON.parse(list)) instrument(readFileSync(file, 'utf8'), { filename: file }).insertMap;
console.log(performance.now() - t0);`;
const cold = { auto: [], babel: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const parser of r % 2 ? ['babel', 'auto'] : ['auto', 'babel']) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', coldProbe, pathToFileURL(transformEntry).href, pathToFileURL(path.join(path.dirname(transformEntry), 'parse.js')).href, JSON.stringify(files), parser], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`the cold instrument run failed:\n${result.stderr}`);
    cold[parser].push(Number(result.stdout));
  }
}

// Warm: the builds, each parser and each bundler in processes of its own, alternating. One bundler
// per process, as a user's build runs: with all of them in one process (session 16) esbuild's row
// read +409 ms where it reads +118 alone, and the bare Babel parse after the builds 77 ms where it
// takes 38: the garbage and the code the other bundlers leave (webpack's above all) were timed too.
const runs = { auto: [], babel: [] };
for (let p = 0; p < PROCESSES; p++) {
  for (const [parser, tool] of (p % 2 ? ['babel', 'auto'] : ['auto', 'babel']).flatMap((parser) => [...Object.keys(builds), 'none'].map((tool) => [parser, tool]))) {
    const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { cwd: root, encoding: 'utf8', env: { ...process.env, BENCH_BUILD_PARSER: parser, BENCH_TOOLS: tool }, maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`the ${parser} build process failed:\n${result.stderr}`);
    runs[parser].push(JSON.parse(result.stdout.trim().split('\n').pop()));
  }
}
const all = (parser, pick) => runs[parser].flatMap(pick);
const bareParse = median(all('auto', (r) => r.ms.parse).concat(all('babel', (r) => r.ms.parse)));
const bareOxc = median(all('auto', (r) => r.ms.oxcParse).concat(all('babel', (r) => r.ms.oxcParse)));
const bareParseCpu = median(all('auto', (r) => r.cpu.parse).concat(all('babel', (r) => r.cpu.parse)));
const times = (parser, tool, name) => all(parser, (r) => r.times[tool]?.[name] ?? []);
const cpuTimes = (parser, tool, name) => all(parser, (r) => r.cpuTimes[tool]?.[name] ?? []);

console.log(`\nbare parse of the ${files.length} files: @babel/parser ${bareParse.toFixed(0)} ms, oxc-parser ${bareOxc.toFixed(0)} ms (no conversion)`);
console.log(`CPU time: @babel/parser ${bareParseCpu.toFixed(0)} ms, oxc-parser ${median(all('auto', (r) => r.cpu.oxcParse).concat(all('babel', (r) => r.cpu.oxcParse))).toFixed(0)} ms, instrument() ${median(all('auto', (r) => r.cpu.instrument)).toFixed(0)} ms`);
console.log(`trapdoor instrument() of them: ${median(all('auto', (r) => r.ms.instrument)).toFixed(0)} ms (${median(all('babel', (r) => r.ms.instrument)).toFixed(0)} ms with Babel's parse); in a fresh process, loading the transform included: ${median(cold.auto).toFixed(0)} ms (${median(cold.babel).toFixed(0)} ms with Babel's parse)\n`);
console.log('| bundler | plain ms | with trapdoor ms | trapdoor adds ms | adds / bare Babel parse | a pass-through plugin adds ms | trapdoor beyond it ms (/ Babel parse) | Babel parse: plain ms | with trapdoor ms | adds ms | with vite-plugin-istanbul ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const tool of Object.keys(builds)) {
  const plain = median(times('auto', tool, 'plain'));
  const ours = median(times('auto', tool, 'trapdoor'));
  const added = ours - plain;
  const bPlain = median(times('babel', tool, 'plain'));
  const bOurs = median(times('babel', tool, 'trapdoor'));
  const ist = times('auto', tool, 'istanbul');
  const istText = ist.length ? `${median(ist).toFixed(0)} (${(median(ist) / plain).toFixed(2)}x)` : '—';
  const floor = times('auto', tool, 'floor');
  const floorText = floor.length ? (median(floor) - plain).toFixed(0) : '—';
  const beyondText = floor.length ? `${(ours - median(floor)).toFixed(0)} (${((ours - median(floor)) / bareParse).toFixed(2)})` : '—';
  console.log(`| ${LABELS[tool]} | ${plain.toFixed(0)} | ${ours.toFixed(0)} (${(ours / plain).toFixed(2)}x) | ${added.toFixed(0)} | ${(added / bareParse).toFixed(2)} | ${floorText} | ${beyondText} | ${bPlain.toFixed(0)} | ${bOurs.toFixed(0)} | ${(bOurs - bPlain).toFixed(0)} | ${istText} |`);
}
// The floor of any transform: the plugin with trapdoor's recorded answers (`output`, above).
const withOutput = Object.keys(builds).filter((tool) => times('auto', tool, 'output').length > 0);
if (withOutput.length > 0) {
  console.log("\nThe bundler's own work on trapdoor's output: the plugin handing back its recorded answers (no transform), medians:\n");
  console.log('| bundler | plain ms | pass-through adds ms | trapdoor\'s output adds ms (CPU) | / bare Babel parse (CPU) | the transform\'s share ms (CPU) | / bare Babel parse (CPU) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const tool of withOutput) {
    const plain = median(times('auto', tool, 'plain'));
    const cpuPlain = median(cpuTimes('auto', tool, 'plain'));
    const output = median(times('auto', tool, 'output')) - plain;
    const cpuOutput = median(cpuTimes('auto', tool, 'output')) - cpuPlain;
    const share = median(times('auto', tool, 'trapdoor')) - median(times('auto', tool, 'output'));
    const cpuShare = median(cpuTimes('auto', tool, 'trapdoor')) - median(cpuTimes('auto', tool, 'output'));
    const floor = times('auto', tool, 'floor');
    const ratio = (wall, used) => `${(wall / bareParse).toFixed(2)} (${(used / bareParseCpu).toFixed(2)})`;
    console.log(`| ${LABELS[tool]} | ${plain.toFixed(0)} | ${floor.length ? (median(floor) - plain).toFixed(0) : '—'} | ${output.toFixed(0)} (${cpuOutput.toFixed(0)}) | ${ratio(output, cpuOutput)} | ${share.toFixed(0)} (${cpuShare.toFixed(0)}) | ${ratio(share, cpuShare)} |`);
  }
}
console.log('\nWith the `cache` option and a warm store (a later build of unchanged modules; the store filled by a warm-up build), medians:\n');
console.log('| bundler | plain ms | with trapdoor, warm cache ms | adds ms | adds / bare Babel parse | adds CPU ms | adds / bare Babel parse (CPU) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const tool of Object.keys(builds)) {
  const warm = times('auto', tool, 'cached');
  if (warm.length === 0) continue;
  const plain = median(times('auto', tool, 'plain'));
  const cpuPlain = median(cpuTimes('auto', tool, 'plain'));
  const cpuWarm = median(cpuTimes('auto', tool, 'cached'));
  console.log(`| ${LABELS[tool]} | ${plain.toFixed(0)} | ${median(warm).toFixed(0)} | ${(median(warm) - plain).toFixed(0)} | ${((median(warm) - plain) / bareParse).toFixed(2)} | ${(cpuWarm - cpuPlain).toFixed(0)} | ${((cpuWarm - cpuPlain) / bareParseCpu).toFixed(2)} |`);
}
const withAfterLoaders = Object.keys(builds).filter((tool) => times('auto', tool, 'afterLoaders').length > 0);
if (withAfterLoaders.length > 0) {
  console.log("\nwebpack with `afterLoaders: true` (trapdoor after ts-loader, through its maps), medians:\n");
  console.log('| bundler | plain ms | with trapdoor ms | adds ms | after the loaders ms | adds ms | adds / bare Babel parse | adds CPU ms | adds / bare Babel parse (CPU) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
}
for (const tool of withAfterLoaders) {
  const after = times('auto', tool, 'afterLoaders');
  const plain = median(times('auto', tool, 'plain'));
  const ours = median(times('auto', tool, 'trapdoor'));
  const cpuAdded = median(cpuTimes('auto', tool, 'afterLoaders')) - median(cpuTimes('auto', tool, 'plain'));
  const added = median(after) - plain;
  console.log(`| ${LABELS[tool]} | ${plain.toFixed(0)} | ${ours.toFixed(0)} | ${(ours - plain).toFixed(0)} | ${median(after).toFixed(0)} | ${added.toFixed(0)} | ${(added / bareParse).toFixed(2)} | ${cpuAdded.toFixed(0)} | ${(cpuAdded / bareParseCpu).toFixed(2)} |`);
}
console.log(`\nCPU time of the same builds (the process's threads${process.platform === 'linux' ? ' and its child processes' : ''}), medians:\n`);
console.log('| bundler | plain CPU ms | with trapdoor CPU ms | trapdoor adds CPU ms | adds / bare Babel parse (CPU) | a pass-through plugin adds CPU ms | trapdoor beyond it CPU ms (/ Babel parse) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const tool of Object.keys(builds)) {
  const plain = median(cpuTimes('auto', tool, 'plain'));
  const ours = median(cpuTimes('auto', tool, 'trapdoor'));
  const floor = cpuTimes('auto', tool, 'floor');
  const floorCells = floor.length ? `${(median(floor) - plain).toFixed(0)} | ${(ours - median(floor)).toFixed(0)} (${((ours - median(floor)) / bareParseCpu).toFixed(2)})` : '— | —';
  console.log(`| ${LABELS[tool]} | ${plain.toFixed(0)} | ${ours.toFixed(0)} (${(ours / plain).toFixed(2)}x) | ${(ours - plain).toFixed(0)} | ${((ours - plain) / bareParseCpu).toFixed(2)} | ${floorCells} |`);
}
if (BASELINE !== undefined) {
  // Each round's own difference (the rounds' load cancels out), median over rounds and processes.
  const paired = (pick, tool, a, b) => {
    const x = pick('auto', tool, a);
    const y = pick('auto', tool, b);
    return median(x.map((v, i) => v - y[i]));
  };
  console.log(`\nA/B in the same rounds: this checkout's plugin (trapdoor) against BENCH_BASELINE's (baseline); paired: median of each round's difference\n`);
  console.log('| bundler | baseline adds ms | trapdoor adds ms | paired trapdoor − baseline ms | baseline adds CPU ms | trapdoor adds CPU ms | paired trapdoor − baseline CPU ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const tool of Object.keys(builds)) {
    const cells = [times, cpuTimes].flatMap((pick) => [paired(pick, tool, 'baseline', 'plain'), paired(pick, tool, 'trapdoor', 'plain'), paired(pick, tool, 'trapdoor', 'baseline')]);
    console.log(`| ${LABELS[tool]} | ${cells.map((c) => c.toFixed(0)).join(' | ')} |`);
  }
}

// The output: size, load time and memory of the esbuild bundle.
if (builds.esbuild === undefined || LOADS === 0) process.exit(0);
const variants = { plain: dirFor('out-plain'), trapdoor: dirFor('out-trapdoor'), production: dirFor('out-production') };
await builds.esbuild.plain(variants.plain);
await esbuildTrapdoor(variants.trapdoor);
await esbuildTrapdoor(variants.production, { production: true });
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
