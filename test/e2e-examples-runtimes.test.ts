/**
 * examples/node-ts, examples/bun-ts and examples/deno-ts, as their READMEs say to use them: each
 * TypeScript program run by its runtime alone and under `trapdoor run` (from the example's folder,
 * its documented command) prints the same; then its busy command spins, `trapdoor attach` (the real
 * CLI) starts the debugger from outside, and chrome-remote-interface pauses it at the loop's line in
 * the .ts file, reads the loop's locals, ends the loop by writing one, and lets the program finish.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { describe, expect, it } from 'vitest';
import { repoRoot, TRAPDOOR_BIN as BIN, trackProcesses, watch, within } from './e2e/harness.js';

const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);

interface Example {
  dir: string;
  /** The runtime alone, as the README shows it (Node 20 runs TypeScript through tsx). */
  plain: string[];
  /** `trapdoor run` and what follows it, as in the README (the busy command adds `busy`). */
  run: string[];
  busy: string;
  /** Printed when the busy path starts spinning, and when it is over. */
  spinning: RegExp;
  done: RegExp;
  /** The spinning loop: its file, function, the text of its line, its locals, and what ends it. */
  file: string;
  functionName: string;
  loop: string;
  locals: Record<string, unknown>;
  counter: string;
  end: string;
}

const EXAMPLES: Record<'node' | 'bun' | 'deno', Example> = {
  node: {
    dir: join(repoRoot, 'examples', 'node-ts'),
    plain: [bin('tsx'), 'src/main.ts'],
    run: ['src/main.ts'],
    busy: 'replay',
    spinning: /^replaying$/,
    done: /^replayed 10 requests$/,
    file: 'src/rate-limiter.ts',
    functionName: 'waitForToken',
    loop: 'while (!granted) {',
    locals: { granted: false },
    counter: 'spins',
    end: 'granted = true',
  },
  bun: {
    dir: join(repoRoot, 'examples', 'bun-ts'),
    plain: [bin('bun'), 'src/main.ts'],
    run: ['--runtime', 'bun', 'src/main.ts'],
    busy: 'serve',
    spinning: /^waiting for the index$/,
    done: /^serving after some polls$/,
    file: 'src/index.ts',
    functionName: 'awaitReady',
    loop: 'while (!ready) {',
    locals: { ready: false },
    counter: 'polls',
    end: 'ready = true',
  },
  deno: {
    dir: join(repoRoot, 'examples', 'deno-ts'),
    plain: [bin('deno'), 'run', '--allow-read=.', 'src/main.ts'],
    run: ['--runtime', 'deno', '--allow-read=.', 'src/main.ts'],
    busy: 'save',
    spinning: /^taking the lock$/,
    done: /^saved after several attempts$/,
    file: 'src/ledger.ts',
    functionName: 'take',
    loop: 'while (!taken) {',
    locals: { taken: false },
    counter: 'attempts',
    end: 'taken = true',
  },
};

const tracked = trackProcesses();

const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', NODE_OPTIONS: '' };

describe.each(Object.keys(EXAMPLES) as (keyof typeof EXAMPLES)[])('examples/%s-ts', (runtime) => {
  const example = EXAMPLES[runtime];

  it('runs under trapdoor exactly as on its runtime alone', () => {
    const plain = spawnSync(example.plain[0]!, example.plain.slice(1), { cwd: example.dir, encoding: 'utf8', env, timeout: 60_000 });
    expect(plain, plain.stderr).toMatchObject({ status: 0, stderr: '' });
    expect(plain.stdout.split('\n').length).toBeGreaterThan(4);
    const ours = spawnSync(process.execPath, [BIN, 'run', ...example.run], { cwd: example.dir, encoding: 'utf8', env, timeout: 60_000 });
    expect({ status: ours.status, stdout: ours.stdout, stderr: ours.stderr }).toEqual({ status: 0, stdout: plain.stdout, stderr: '' });
  });

  it('its busy command is attached to from outside, paused at the loop in the .ts file, and ended through a local', async () => {
    const proc = tracked.spawn(process.execPath, [BIN, 'run', '--port', '0', ...example.run, example.busy], { cwd: example.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const running = watch(proc, `${runtime}: trapdoor run ${example.run.join(' ')} ${example.busy}`);
    await running.line(example.spinning);

    const attach = spawnSync(process.execPath, [BIN, 'attach', '--json', String(proc.pid)], { cwd: example.dir, encoding: 'utf8', timeout: 60_000 });
    expect(attach, running.describe()).toMatchObject({ status: 0, stderr: '' });
    const { wsUrl } = JSON.parse(attach.stdout);
    const client = tracked.client(await within(CDP({ target: wsUrl, local: true }), 'chrome-remote-interface to connect', running.describe));
    await client.Debugger.enable();
    const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    const event = await within(paused, 'Debugger.paused', running.describe);

    const source = join(example.dir, example.file);
    const lines = readFileSync(source, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes(example.loop));
    const top = event.callFrames[0];
    expect(top, running.describe()).toMatchObject({ functionName: example.functionName, url: `file://${source}`, location: { lineNumber: line, columnNumber: lines[line]!.indexOf('while') } });
    const local = top.scopeChain.find((scope: any) => scope.type === 'local');
    const { result: properties } = await client.Runtime.getProperties({ objectId: local.object.objectId, ownProperties: true });
    const values = Object.fromEntries(properties.map((p: any) => [p.name, p.value?.value]));
    expect(values).toMatchObject(example.locals);
    expect(values[example.counter]).toBeGreaterThan(0);

    const set = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: example.end });
    expect(set.result).toMatchObject({ type: 'boolean', value: true });
    await client.Debugger.resume();
    await running.line(example.done);
    expect(await within(running.closed, 'the program to exit', running.describe)).toEqual({ code: 0, signal: null });
  });
});
