/**
 * The Vitest runner trapdoor's plugin sets as `test.runner` (it runs in each test worker, process
 * or thread): Vitest's own runner, or the project's, with a deadline armed around each test
 * function and each hook (vitest-deadlines.ts says how).
 *
 * This file goes through Vite's module runner (the plugin inlines it), so that its `import
 * 'vitest'` is the Vitest that runs however the project installed it, and the project's own
 * runner is loaded as Vitest would load it (TypeScript included). Everything else is in
 * vitest-deadlines.ts, which Node loads itself: each module that goes through Vite costs every
 * test worker a fetch from Vitest's main process and an evaluation of its transformed code.
 */
import { inject, TestRunner } from 'vitest';
import { readSettings, withDeadlines, type RunnerClass } from './vitest-deadlines.js';

const settings = readSettings(inject);

const base: RunnerClass =
  settings.baseRunner === undefined ? (TestRunner as unknown as RunnerClass) : ((await import(/* @vite-ignore */ settings.baseRunner)) as { default: RunnerClass }).default;

export default await withDeadlines(base, TestRunner, settings);
