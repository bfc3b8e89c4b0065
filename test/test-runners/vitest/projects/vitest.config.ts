// Projects: inline (an object, a function) and by glob: a folder with its own config file, a folder without one.
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
