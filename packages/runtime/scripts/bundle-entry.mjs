// After `tsc`: the runtime's entries that instrumented code imports (index.js, and production.js
// for deployments; ESM and CommonJS builds), and deadline.js (what every test process of
// `trapdoor test` imports: its 12 files cost each one about 4 ms of CPU more than one), each rewritten as one
// file holding the modules every instrumented process loads (control block, trap(), module
// registration, activation triggers, discovery, thread registry), instead of 15 files that import
// each other. Node keeps a loader record, a module namespace and the compiled code per module, and
// its loader's own functions get hot enough to be compiled: an idle instrumented process measured
// +7.8 MiB resident (+2.7 MiB private) over plain with the 15 files, +2.5 MiB (+1.3 MiB private)
// with one (bench/startup.mjs's memory rows). The sources keep one module per role; the other
// entry (discovery) and what loads on activation (inspector/) stay as tsc
// wrote them, and share the bundled copy's state through globalThis as the ESM and CommonJS builds
// already do. The map goes through tsc's maps back to src/.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { decode, encode } from '@jridgewell/sourcemap-codec';

// @trapdoor-js/native's watcher rules (core.cjs) are bundled in: the runtime opens the addon itself
// (native-addon.ts), so that no CommonJS file is loaded for it. The package's entry stays external.
const nativeCore = createRequire(import.meta.url).resolve('@trapdoor-js/native/core');
const bundleNativeCore = {
  name: 'native-core',
  setup(build) {
    build.onResolve({ filter: /^@trapdoor-js\/native\/core$/ }, () => ({ path: nativeCore }));
  },
};

for (const [format, entry] of ['esm', 'cjs'].flatMap((format) => ['index.js', 'production.js', 'deadline.js'].map((entry) => [format, entry]))) {
  const file = new URL(`../dist/${format}/${entry}`, import.meta.url).pathname;
  await build({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    format,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    // node: built-ins stay imports; the native addon is found at run time (native-addon.ts).
    external: ['node:*', '@trapdoor-js/*'],
    plugins: [bundleNativeCore],
    legalComments: 'none',
    logLevel: 'warning',
  });
  unmapNativeCore(`${file}.map`);
}

/**
 * The bundled copy of the native package's core.cjs left out of `mapFile`: the runtime's tarball
 * does not ship that package's files (a stack frame in it maps to nothing and names the bundle).
 */
function unmapNativeCore(mapFile) {
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  const dropped = map.sources.findIndex((source) => source.endsWith('/native/core.cjs'));
  if (dropped < 0) return;
  const lines = decode(map.mappings).map((line) =>
    line.flatMap((segment) => {
      if (segment.length === 1) return [segment];
      if (segment[1] === dropped) return [[segment[0]]];
      return [segment[1] > dropped ? [segment[0], segment[1] - 1, ...segment.slice(2)] : segment];
    }),
  );
  map.sources.splice(dropped, 1);
  map.sourcesContent?.splice(dropped, 1);
  map.mappings = encode(lines);
  writeFileSync(mapFile, JSON.stringify(map));
}
