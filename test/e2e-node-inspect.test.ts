/**
 * End to end with Node's own debugger CLI, `node inspect <host>:<port>`, driven through its
 * stdin against instrumented programs on Node, Bun and Deno. It must get through its start-up
 * sequence (Runtime.enable, Profiler.enable, Profiler.setSamplingInterval, Debugger.enable,
 * setAsyncCallStackDepth, setBlackboxPatterns, setPauseOnExceptions, runIfWaitingForDebugger:
 * any error there kills it), then pause, show where and evaluate, set and clear a breakpoint,
 * and continue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killChildren, launch, lineOf, prepare, repoRoot, runtimes, within, type Target } from './e2e/harness.js';

let dir: string;
beforeAll(() => {
  dir = prepare('node-inspect', ['busy-empty.mjs', 'busy-work.mjs', 'views.mjs']);
});

const inspectors = new Set<ChildProcess>();
afterEach(() => {
  for (const child of inspectors) child.kill('SIGKILL');
  inspectors.clear();
  killChildren();
});

/** `node inspect host:port`, with its output collected and commands written to its stdin. */
function nodeInspect(port: number, target: Target) {
  const child = spawn(process.execPath, ['inspect', `127.0.0.1:${port}`], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', NO_COLOR: '1' },
  });
  inspectors.add(child);
  let output = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const describe = (): string => `--- node inspect\n${output}\n${target.describe()}`;
  /** Waits until the output written after `from` matches. */
  const until = (pattern: RegExp, from = 0): Promise<string> =>
    within(
      new Promise<string>((resolve) => {
        const check = (): void => {
          const match = pattern.exec(output.slice(from));
          if (match !== null) {
            waiters.delete(check);
            resolve(match[0]);
          }
        };
        waiters.add(check);
        check();
      }),
      `node inspect to print ${pattern}`,
      describe,
    );
  return {
    output: () => output,
    until,
    exited,
    /** Writes a command and waits for what it prints, up to the next prompt. */
    async command(line: string, pattern: RegExp): Promise<string> {
      const from = output.length;
      child.stdin!.write(`${line}\n`);
      await until(pattern, from);
      await until(/debug> $/, from);
      return output.slice(from);
    },
    write(line: string): void {
      child.stdin!.write(`${line}\n`);
    },
  };
}

async function startBusy(runtime: (typeof runtimes)[number], program: string): Promise<{ target: Target; port: number }> {
  const target = launch(runtime, dir, program, 'signal');
  await target.line(/^spinning$/);
  await new Promise((resolve) => setTimeout(resolve, 200));
  target.trigger();
  const { port } = await target.banner;
  return { target, port };
}

function expectNoErrors(output: string): void {
  expect(output).not.toMatch(/Error|Uncaught|ERR_|failed to connect/);
}

describe.each(runtimes)('node inspect against $name', (runtime) => {
  it('connects, pauses a tight loop, shows the backtrace, evaluates and changes locals, continues', async () => {
    const { target, port } = await startBusy(runtime, 'busy-empty.mjs');
    const cli = nodeInspect(port, target);
    await cli.until(/connecting to 127\.0\.0\.1:\d+ \.+ ok/);
    await cli.until(/debug> $/);
    const loopLine = lineOf('busy-empty.mjs', 'while (!done)') + 1;

    const paused = await cli.command('pause', /break in test\/e2e\/programs\/busy-empty\.mjs:\d+/);
    expect(paused).toContain(`break in test/e2e/programs/busy-empty.mjs:${loopLine}`);
    // The source context around the paused line, read through Debugger.getScriptSource.
    expect(paused).toMatch(new RegExp(`>\\s*${loopLine} {3}while \\(!done\\) \\{\\}`));

    const bt = await cli.command('bt', /#0 /);
    expect(bt).toContain(`#0 spin test/e2e/programs/busy-empty.mjs:${loopLine}:2`);
    expect(bt).toContain(`#1 (anonymous) test/e2e/programs/busy-empty.mjs:${lineOf('busy-empty.mjs', "spin('tight')") + 1}:`);

    expect(await cli.command('exec label + started', /'tight5'/)).toContain("'tight5'");
    expect(await cli.command('exec [typeof done, extra]', /\[ 'boolean', 0 \]/)).toBeTruthy();
    await cli.command('exec extra = 2, done = true', /true/);
    await cli.command('cont', /debug> $/);
    await target.line(/^result /);
    expect(target.stdout()).toContain('result 7');
    expect(await target.exited).toEqual({ code: 0, signal: null });

    cli.write('.exit');
    expect(await within(cli.exited, 'node inspect to exit')).toBe(0);
    expectNoErrors(cli.output());
    expect(target.stderr()).toContain('Debugger attached.');
  });

  it('sets a breakpoint with sb() on a busy program, stops there, clears it with cb() and continues', async () => {
    const { target, port } = await startBusy(runtime, 'busy-work.mjs');
    const cli = nodeInspect(port, target);
    await cli.until(/debug> $/);
    const forLine = lineOf('busy-work.mjs', 'for (let start') + 1;

    const from = cli.output().length;
    cli.write(`sb('busy-work.mjs', ${forLine})`);
    await cli.until(new RegExp(`break in test/e2e/programs/busy-work\\.mjs:${forLine}`), from);
    await cli.until(/debug> $/, from);
    expect(await cli.command('exec typeof start', /'number'/)).toContain("'number'");
    await cli.command(`cb('busy-work.mjs', ${forLine})`, /debug> $/);
    await cli.command('exec stop = true', /true/);
    await cli.command('cont', /debug> $/);
    await target.line(/^best /);
    expect(target.stdout()).toMatch(/best \d+ after some rounds/);
    expect(await target.exited).toEqual({ code: 0, signal: null });

    cli.write('.exit');
    expect(await within(cli.exited, 'node inspect to exit')).toBe(0);
    expectNoErrors(cli.output());
  });

  it('sb() inside a function body resolves to a check of that function (a loop body to its loop), or says why not; exec errors show only the evaluated code', async () => {
    const { target, port } = await startBusy(runtime, 'views.mjs');
    const cli = nodeInspect(port, target);
    await cli.until(/debug> $/);
    const line = (text: string) => lineOf('views.mjs', text) + 1;
    const whileLine = line('while (n !== 1)');

    // An error thrown by exec'd code: its message and the evaluated code's frames, none of trapdoor's.
    await cli.command('pause', /break in test\/e2e\/programs\/views\.mjs:\d+/);
    const thrown = await cli.command('exec nope', /nope is not defined/);
    // (The column is the engine's: V8 points at the start of the name, JavaScriptCore at its end.)
    expect(thrown).toMatch(/ReferenceError: nope is not defined\n\s+at <anonymous>:1:\d+\n/);
    const nested = await cli.command("exec [1].map(function inner() { throw new TypeError('bad') })", /TypeError: bad/);
    expect(nested).toMatch(/TypeError: bad\n\s+at inner \(<anonymous>:1:\d+\)\n\s+at (?:Array\.)?map \((?:<anonymous>|native:\d+:\d+)\)\n\s+at <anonymous>:1:\d+\n/);
    expect(thrown + nested, thrown + nested).not.toMatch(/runtime|evaluate\.js|inspector\.js|handoff|trap/);

    // The first statement of collatzSteps' loop body: that loop, not another function.
    await cli.command(`sb('views.mjs', ${line('n = n % 2')})`, /debug> $/);
    const from = cli.output().length;
    cli.write('cont');
    await cli.until(new RegExp(`break in test/e2e/programs/views\\.mjs:${whileLine}`), from);
    await cli.until(/debug> $/, from);
    expect(await cli.command('bt', /#0 /)).toContain(`#0 collatzSteps test/e2e/programs/views.mjs:${whileLine}:2`);
    expect(await cli.command('exec typeof steps', /'number'/)).toContain("'number'");
    // node inspect files a breakpoint under its resolved line.
    await cli.command(`cb('views.mjs', ${whileLine})`, /debug> $/);

    // sb(line) in the current script: `steps++` is in the same loop; after the last check of `other`, nothing: the reason.
    await cli.command(`sb(${line('steps++;')})`, /debug> $/);
    expect(await cli.command('breakpoints', /#0 /)).toContain(`views.mjs:${whileLine}`);
    const refused = await cli.command(`sb(${line('return x;')})`, /Could not resolve breakpoint/);
    expect(refused).toContain(`Could not resolve breakpoint: no loop or function entry of its own at or after line ${line('return x;')} in function other`);
    await cli.command(`cb('views.mjs', ${whileLine})`, /debug> $/);
    expect(await cli.command('breakpoints', /No breakpoints yet/)).toContain('No breakpoints yet');

    // End the program from its top-level loop (where `stop` is a local).
    await cli.command(`sb('views.mjs', ${line('collatzSteps(27);')})`, /debug> $/);
    const again = cli.output().length;
    cli.write('cont');
    await cli.until(new RegExp(`break in test/e2e/programs/views\\.mjs:${line('while (!stop)')}`), again);
    await cli.until(/debug> $/, again);
    await cli.command('exec stop = true', /true/);
    await cli.command(`cb('views.mjs', ${line('while (!stop)')})`, /debug> $/);
    cli.write('cont');
    await target.line(/^stopped after/);
    expect(await target.exited).toEqual({ code: 0, signal: null });
    cli.write('.exit');
    expect(await within(cli.exited, 'node inspect to exit')).toBe(0);
  });
});
