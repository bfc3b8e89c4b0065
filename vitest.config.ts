import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Other projects' suites, run by the end-to-end tests through their own runners, not by ours.
    exclude: [...configDefaults.exclude, 'test/real-projects/**', 'test/test-runners/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // End-to-end tests spawn real runtimes; two cores, so keep files from starving each other.
    maxWorkers: 2,
  },
});
