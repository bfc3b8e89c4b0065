// The node:test runner's command matching and the environment and command line it prepares.
import { describe, expect, it } from 'vitest';
import { nodeTest } from './node-test.js';

describe('nodeTest.matches', () => {
  it.each([[['node', '--test']], [['node', '--test', 'test/a.test.js']], [['/usr/bin/node', '--import', 'tsx', '--test']]])('runs node:test: %j', (command) => {
    expect(nodeTest.matches(command)).toBe(true);
  });

  it.each([[['node', 'app.js']], [['npx', 'jest']], [['bun', 'test']], [['node', 'script.js', '--test']].slice(0, 0)].filter((c) => c.length > 0))('does not: %j', (command) => {
    expect(nodeTest.matches(command)).toBe(false);
  });
});

describe('nodeTest.prepare', () => {
  it('imports the loader and the hook through NODE_OPTIONS, which the files’ processes inherit', async () => {
    const prepared = await nodeTest.prepare(['node', '--test', 'a.test.js'], { include: [], exclude: ['gen/**'], cwd: process.cwd() });
    expect(prepared.command).toEqual(['node', '--test', 'a.test.js']);
    expect(prepared.env.NODE_OPTIONS).toMatch(/--import ".*[\\/]loaders[\\/]node[\\/]register\.js" --import ".*[\\/]hooks[\\/]node-test\.js"$/);
    expect(prepared.env.TRAPDOOR_EXCLUDE).toBe('["gen/**"]');
    expect(prepared.env.TRAPDOOR_TEST_TIMEOUT).toBeUndefined();
  });

  it.each([
    [['node', '--test', '--test-timeout=400', 'a.test.js']],
    [['node', '--test', '--test-timeout', '400', 'a.test.js']],
  ])('takes --test-timeout off the command line and hands it to the hook: %j', async (command) => {
    const prepared = await nodeTest.prepare(command, { timeout: 50, include: [], exclude: [], cwd: process.cwd() });
    expect(prepared.command).toEqual(['node', '--test', 'a.test.js']);
    expect(prepared.env.TRAPDOOR_NODE_TEST_TIMEOUT).toBe('400');
    expect(prepared.env.TRAPDOOR_TEST_TIMEOUT).toBe('50');
  });
});
