// After `tsc`, the Node loader's two threads each get one file of trapdoor's to load instead of a
// module graph (every instrumented process starts them, and Node's module loaders pay per file:
// resolution, a read, a compile, and for an ES module its loader record and link):
//
// 1. dist/loaders/node/start.cjs, the main thread's loader (what register.cjs and register.js
// require): install.js, commonjs.js, compile-hook.js, settings, locations, the cache's lookup,
// preload-runtime.js… as one CommonJS file. As ES modules they were loaded by `require(esm)`.
//
// 2. dist/loaders/node/hooks-thread.cjs, the ES module hooks (hooks.js) that hooks-entry.js
// requires on Node's hooks thread, with the cache and settings, as one CommonJS file: as an ES
// module its imports of node:fs and the other built-ins each cost an ES module facade, and node:fs's
// loads Node's file streams (src/loaders/node/hooks-thread.cts). hooks-entry.js itself stays a
// small file of its own, registered as a data: URL: Node holds the main thread in `module.register`
// until it has loaded, and hooks-thread.cjs loads after that, while the main thread loads the runtime.
//
// 3. dist/loaders/bun/register.js, Bun's preload (`bun --preload`, `trapdoor run --runtime bun`),
// the same way, as one ES module: Bun too pays per module for the thirteen it was.
//
// 4. dist/test-runners/vitest-deadlines.js, what trapdoor's Vitest runner imports in every test
// worker (Node loads it, not Vite), with vitest-settings.js and settled.js as one ES module: a
// worker starts per test file, and the three files cost each about 0.9 ms of CPU more than one.
// The runtime's deadline module stays its own, imported by URL.
//
// What neither thread (nor Bun's preload) needs with a warm cache stays outside, loaded on a miss as before:
// loaders/instrument-module.js and the transform behind it (Babel's parser, oxc-parser), and the
// runtime (@trapdoor-js/runtime, one file of its own). Each bundled module's `import.meta.url`
// keeps naming the file tsc wrote, so the relative paths and `createRequire` in it resolve as
// before. Only node: built-ins and those files stay outside; anything else found in a bundle
// fails the build. The maps chain back to src/ through tsc's own maps.
import { build } from 'esbuild';
import { CJS_URL, CJS_URL_BANNER, ownUrls } from './own-urls.mjs';

const dist = new URL('../dist/', import.meta.url);
const distDir = dist.pathname;

/** Loaded at run time, from its own file, only when needed (a cache miss). */
const OUTSIDE = /(^|\/)instrument-module\.js$/;

/** Keeps loaders/instrument-module.js outside, by the same relative path (each bundle replaces a file in its folder). */
const outside = {
  name: 'outside',
  setup(build) {
    build.onResolve({ filter: OUTSIDE }, (args) => ({ path: args.path, external: true }));
  },
};

async function bundle(entry, format, base, banner) {
  const file = new URL(entry, dist).pathname;
  const result = await build({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    format,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    external: ['node:*'],
    plugins: [outside, ownUrls(file, base)],
    banner: banner === undefined ? undefined : { js: banner },
    legalComments: 'none',
    logLevel: 'warning',
    logOverride: format === 'cjs' ? { 'empty-import-meta': 'silent' } : undefined,
    metafile: true,
  });
  const foreign = Object.keys(result.metafile.inputs).filter((input) => !new URL(input, `file://${process.cwd()}/`).pathname.startsWith(distDir));
  if (foreign.length > 0) throw new Error(`bundle-node: ${entry} would hold files from outside dist/: ${foreign.join(', ')}`);
}

// `import.meta.resolve` in locations.js is on Deno's path only (`canRead: false`), which the Node
// loader never takes.
await bundle('loaders/node/start.cjs', 'cjs', CJS_URL, CJS_URL_BANNER);
await bundle('loaders/node/hooks-thread.cjs', 'cjs', CJS_URL, CJS_URL_BANNER);
await bundle('loaders/bun/register.js', 'esm', 'import.meta.url');
await bundle('test-runners/vitest-deadlines.js', 'esm', 'import.meta.url');
