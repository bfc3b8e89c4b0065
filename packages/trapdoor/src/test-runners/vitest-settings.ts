/**
 * What the Vitest plugin (main process) tells its runner (test workers), through Vitest's
 * `provide`/`inject`: plain JSON, the same for every worker of a project.
 */

/** The `provide` key. */
export const SETTINGS_KEY = 'trapdoor-js:vitest';

export interface VitestSettings {
  /** `--timeout` / the plugin's `timeout`: every test's deadline instead of its own timeout. */
  timeout?: number;
  /** The project's own `test.runner` (resolved), which trapdoor's runner extends; undefined: Vitest's. */
  baseRunner?: string;
  /** The file URL of `@trapdoor-js/runtime/deadline`, resolved once in Vitest's main process (vitest-deadlines.ts imports it). */
  deadline?: string;
}
