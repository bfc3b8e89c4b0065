// Tests that fail as tests do (no loop is stuck): trapdoor test must report them as plain `vitest run` does.
import { defineConfig } from 'vitest/config';

export default defineConfig({});
