import { defineConfig } from 'rolldown';
import trapdoor from 'trapdoor-js/rolldown';

// `npx rolldown -c`
export default defineConfig({
  input: 'src/main.ts',
  platform: 'node',
  output: { dir: 'dist/rolldown', format: 'es', sourcemap: true, entryFileNames: '[name].mjs' },
  plugins: [trapdoor()],
});
