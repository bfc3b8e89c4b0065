// Projects: one inline (trapdoor's plugin reaches it), one by its own config file (it does not: trapdoor says so).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'inline', include: ['inline/**/*.test.ts'], testTimeout: 400 } },
      async () => ({ test: { name: 'from-function', include: ['inline/**/*.test.ts'], testTimeout: 450 } }),
      'packages/*',
    ],
  },
});
