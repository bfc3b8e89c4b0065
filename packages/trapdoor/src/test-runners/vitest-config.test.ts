import { describe, expect, it } from 'vitest';
import { usesThreads } from './vitest-config.js';

describe('usesThreads: whether Vitest may run tests in worker threads (the runtime then loads on its main thread too)', () => {
  it('from the command line', () => {
    expect(usesThreads({}, ['node', 'vitest', 'run', '--pool=threads'])).toBe(true);
    expect(usesThreads({}, ['node', 'vitest', 'run', '--pool', 'vmThreads'])).toBe(true);
    expect(usesThreads({}, ['node', 'vitest', 'run', '--pool=forks'])).toBe(false);
    expect(usesThreads({}, ['node', 'vitest', 'run'])).toBe(false); // Vitest's default is forks
  });
  it('from the config and its inline projects', () => {
    expect(usesThreads({ test: { pool: 'threads' } } as never, [])).toBe(true);
    expect(usesThreads({ test: { pool: 'forks' } } as never, [])).toBe(false);
    expect(usesThreads({ test: { projects: ['packages/*', { test: { pool: 'vmThreads' } }] } } as never, [])).toBe(true);
    expect(usesThreads({ test: { projects: ['packages/*', { test: { name: 'a' } }] } } as never, [])).toBe(false);
  });
});
