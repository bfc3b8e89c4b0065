import { defineConfig } from 'vite';
import trapdoor from 'trapdoor-js/vite';

// `npx vite build`: a Node (SSR) build of src/main.ts that a debugger can attach to.
export default defineConfig({
  plugins: [trapdoor()],
  build: { ssr: 'src/main.ts', outDir: 'dist/vite', sourcemap: true },
});
