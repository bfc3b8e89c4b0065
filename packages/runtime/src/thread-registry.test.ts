import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runtimes } from './inspector/agent/fixtures/harness.mjs';

const fixture = fileURLToPath(new URL('./fixtures/thread-registry.mjs', import.meta.url));

describe.each(runtimes)('thread registry on $name (real worker threads)', (runtime) => {
  it.each(['exits', 'is terminated'])('a worker registers its control block, the main thread sets ACTIVATE in it, the worker announces its address, and leaves when it %s', (how) => {
    const result = spawnSync(runtime.command, [...runtime.args, fixture, how === 'exits' ? 'exit' : 'terminate'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const address = { threadId: expect.any(Number), wsUrl: 'ws://127.0.0.1:1/x', host: '127.0.0.1', port: 1, targetId: 'x' };
    expect(lines.slice(0, 3)).toEqual([{ threads: [], workers: 1 }, { asked: 1 }, { threads: [address], workers: 1 }]);
    // The bye (posted on exit) and the exit event, in either order.
    expect(lines.slice(3)).toEqual(expect.arrayContaining([{ threads: [], workers: 0 }, { exit: how === 'exits' ? 0 : 1 }]));
    expect(lines).toHaveLength(5);
  });
});
