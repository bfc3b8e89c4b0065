// trapdoor by config, for plain `vitest run`: the plugin, with a deadline of its own.
import { defineConfig } from 'vitest/config';
import trapdoor from 'trapdoor-js/vitest';

export default defineConfig({
  plugins: [trapdoor({ timeout: 300 })],
});
