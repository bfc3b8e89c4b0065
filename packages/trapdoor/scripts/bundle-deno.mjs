// After `tsc`, two files for Deno, whose module loading is per file (each module read and
// compiled, twice when a load hook is registered: once by Deno's graph, once through the hooks):
//
// 1. dist/loaders/deno/register.js, the preload (`deno run --preload`), rewritten as one ES
// module holding the loader's modules (own-modules, the loader, settings, the cache's lookup,
// locations): an instrumented start with a warm cache reads one file of trapdoor's, not a dozen.
// Each module's `import.meta.url` keeps naming the file tsc wrote (its folder is what the
// relative URLs in it are relative to). Only node: built-ins stay imports, as Deno needs (the
// loader's imports resolve whatever the program's deno.json or package.json says).
//
// 2. What the Deno loader loads on a cache miss, as one CommonJS file,
// dist/loaders/deno/transform.cjs: loaders/instrument-module.js with the transform
// (@trapdoor-js/transform) and its pure-JavaScript dependencies (@jridgewell/*) inlined.
//
// Why: Deno 2.9's require() of an ES module cannot resolve that module's relative imports once a
// module hook is registered ("Cannot resolve module ./errors.js"), and a synchronous load hook
// cannot await import(). So without this file the Deno loader imported the transform with
// itself, at every start (about 40 ms), though a warm cache never needs it; with it, the loader
// require()s this file on the first miss only, as the Node and Bun loaders require
// instrument-module.js. The parsers stay outside (@babel/parser, @babel/code-frame,
// oxc-parser, loaded on first use by createRequire), found from the transform's own
// dist/parse.js as before: `import.meta.url` in that module names it. The cache key counts this
// file (cache/instrumented.ts), so a rebuilt bundle never reads an older result.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';

const dist = new URL('../dist/', import.meta.url);

const register = new URL('loaders/deno/register.js', dist).pathname;
/** `import.meta.url` of each bundled module: the URL of the file it was, relative to the bundle. */
const ownUrls = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(dirname(register), args.path).split(sep).join('/');
      const url = `new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, import.meta.url).href`;
      return { contents: text.split('import.meta.url').join(url), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};
await build({
  entryPoints: [register],
  outfile: register,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  external: ['node:*'],
  plugins: [ownUrls],
  legalComments: 'none',
  logLevel: 'warning',
});

await build({
  entryPoints: [new URL('loaders/instrument-module.js', dist).pathname],
  outfile: new URL('loaders/deno/transform.cjs', dist).pathname,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // No map: its sources would be the transform's and @jridgewell's, files this package does not
  // ship (test/e2e-package.test.ts). The transform's errors reach the user as one message.
  sourcemap: false,
  external: ['node:*', '@babel/parser', '@babel/code-frame', 'oxc-parser'],
  // The transform's parse.js resolves the parsers from its own URL: kept so, found at run time
  // (this package depends on the transform, so it resolves from here as Node would).
  define: { 'import.meta.url': '__trapdoorTransformParseUrl' },
  banner: {
    // Strict, as the ES modules it is made of (a banner comes before esbuild's own directive).
    js: "'use strict';\nvar __trapdoorTransformParseUrl = require('node:url').pathToFileURL(require.resolve('@trapdoor-js/transform')).href.replace(/index\\.js$/, 'parse.js');",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
