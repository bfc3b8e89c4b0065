// The project's own runner: trapdoor's must extend it, not replace it.
import { TestRunner } from 'vitest';

export default class ProjectRunner extends TestRunner {
  override onBeforeRunTask(test: Parameters<TestRunner['onBeforeRunTask']>[0]) {
    (globalThis as { projectRunner?: string }).projectRunner = 'ran';
    return super.onBeforeRunTask(test);
  }
}
