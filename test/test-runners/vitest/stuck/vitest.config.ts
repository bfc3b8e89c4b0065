// The project's own config: trapdoor test must keep all of it (the alias, the plugin, the setup file, the runner, the timeout).
import { defineConfig, type Plugin } from 'vitest/config';

/** Replaces __FIXTURE_PLUGIN__ in the project's files: proves the project's own plugins still run. */
function fixturePlugin(): Plugin {
  return {
    name: 'fixture-plugin',
    transform(code, id) {
      if (!id.includes('/node_modules/') && code.includes('__FIXTURE_PLUGIN__')) return code.replaceAll('__FIXTURE_PLUGIN__', JSON.stringify('from the plugin'));
      return undefined;
    },
  };
}

export default defineConfig({
  plugins: [fixturePlugin()],
  resolve: { alias: { '@lib': new URL('./src', import.meta.url).pathname } },
  test: {
    testTimeout: 500,
    setupFiles: ['./test/setup.ts'],
    runner: './test/runner.ts',
  },
});
