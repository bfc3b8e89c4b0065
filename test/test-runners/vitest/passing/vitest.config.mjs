// Only passing tests: trapdoor test must give what plain `vitest run` gives.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '#math': new URL('./src/math.js', import.meta.url).pathname } },
  test: {
    setupFiles: ['./test/setup.js'],
    coverage: { include: ['src/**'] },
  },
});
