import * as esbuild from 'esbuild';
import trapdoor from 'trapdoor-js/esbuild';

// `node esbuild.build.mjs`
await esbuild.build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: 'dist/esbuild/main.mjs',
  sourcemap: true,
  plugins: [trapdoor()],
});
