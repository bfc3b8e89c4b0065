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
    // node: built-ins stay imports; the native watcher is found at run time (activation-triggers.ts).
    external: ['node:*', '@trapdoor-js/*'],
    legalComments: 'none',
    logLevel: 'warning',
  });
}
