import typescript from '@rollup/plugin-typescript';
import trapdoor from 'trapdoor-js/rollup';

// `npx rollup -c`: @rollup/plugin-typescript compiles from the files on disk, so it goes first.
export default {
  input: 'src/main.ts',
  output: { dir: 'dist/rollup', format: 'es', sourcemap: true, entryFileNames: '[name].mjs' },
  plugins: [typescript({ outDir: 'dist/rollup' }), trapdoor()],
};
