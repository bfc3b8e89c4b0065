/**
 * End to end, with chrome-remote-interface: real instrumented programs on Node, Bun and Deno,
 * activated while busy by the runtime's real activation signal (taken by the native watcher; also
 * a storm of 500, and 500 requests from another thread) or idle (a timer calls activate()), then
 * paused, inspected, changed, stepped and resumed over a real WebSocket. Programs: test/e2e/programs. Nothing here asserts on wall-clock time.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { instrument } from '@trapdoor-js/transform';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client, columnOf, killChildren, launch, lineOf, prepare, programsDir, programUrl, runtimes, type LaunchMode, type Target } from './e2e/harness.js';

let dir: string;
beforeAll(() => {
  dir = prepare('cdp', ['busy-empty.mjs', 'busy-work.mjs', 'recursion.mjs', 'idle.mjs', 'typed.ts', 'lazy-main.mjs', 'lazy-dep.mjs', 'busy-cjs.cjs', 'views.mjs', 'leaf-before-loop.mjs']);
  writeMovedBuild(dir);
});

const clients: Client[] = [];
afterEach(async () => {
  killChildren();
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
});

/** Starts a busy program and activates it once it spins. */
async function startBusy(runtime: (typeof runtimes)[number], program: string, mode: LaunchMode = 'signal'): Promise<{ target: Target; port: number }> {
  const target = launch(runtime, dir, program, mode);
  await target.line(/^spinning$/);
  // Give the loop time to get hot (optimised) before the request arrives; not asserted.
  await new Promise((resolve) => setTimeout(resolve, 200));
  target.trigger();
  const { port } = await target.banner;
  return { target, port };
}

async function attach(target: Target, port: number): Promise<Client> {
  const client = await Client.connect(port, target.describe);
  clients.push(client);
  return client;
}

/** Runtime.enable + Debugger.enable, as every client starts. */
async function enable(client: Client): Promise<{ debuggerId: string }> {
  await client.send('Runtime.enable');
  return client.send('Debugger.enable', { maxScriptsCacheSize: 10_000_000 });
}

/**
 * What VS Code's js-debug sends to describe the properties of an object it lists (its
 * `getStringyProps` template, src/adapter/templates/getStringyProps.ts, as `templateFunction(…).decl`
 * builds it: `function(...runtimeArgs){let maxLength=1024;let customToString=null;` + the compiled
 * body + a sourceURL), with `throwOnSideEffect: true`.
 */
const JS_DEBUG_STRINGY_PROPS =
  'function(...runtimeArgs){let maxLength=1024;let customToString=null;\n' +
  `    let customProps = false;
    const out = {};
    const defaultPlaceholder = "<<default preview>>";
    if (typeof this !== "object" || !this) {
      return out;
    }
    for (const key of Object.keys(this)) {
      let value;
      try {
        value = this[key];
      } catch (e) {
        continue;
      }
      if (customToString) {
        try {
          const repr = customToString.call(value, defaultPlaceholder);
          if (repr !== defaultPlaceholder) {
            out[key] = String(repr);
            continue;
          }
        } catch (e) {
          out[key] = \`<<indescribable>>\${JSON.stringify([String(e), key])}\`;
          continue;
        }
      }
      if (typeof value === "object" && value) {
        let str;
        for (const sym of runtimeArgs[0].slice(0, 2)) {
          if (typeof value[sym] !== "function") {
            continue;
          }
          try {
            str = value[sym](2);
            break;
          } catch {
          }
        }
        if (!str && !String(value.toString).includes("[native code]")) {
          str = String(value);
        }
        if (str && !str.startsWith("[object ")) {
          out[key] = str.length >= maxLength ? str.slice(0, maxLength) + "\u2026" : str;
        }
      }
    }
    try {
      customProps = typeof this[runtimeArgs[0][2]] === "function";
    } catch {
    }
    return { out, customProps };
  ` +
  '\n\n//# sourceURL=eval-1a2b3c4d.cdp\n}';

/** js-debug's getDescriptionSymbols (no throwOnSideEffect: V8 counts Symbol.for as a side effect). */
const JS_DEBUG_DESCRIPTION_SYMBOLS = 'function() {\n  return [Symbol.for("debug.description"), Symbol.for("nodejs.util.inspect.custom"), Symbol.for("debug.properties")];\n}';

const MOVED_TS = 'interface Point {\n  x: number;\n}\n\nexport let stop = false;\nconsole.log("spinning");\nconst p: Point = { x: 1 };\nwhile (!stop) {\n  p.x++;\n}\nconsole.log("moved done");\n';

/**
 * A build whose sources are gone: `moved.mjs` compiled from TypeScript with a map (sourcesContent
 * inline) naming `src-gone/moved.ts`, instrumented as `trapdoor instrument` writes it (the chained
 * map beside it), and no `src-gone` folder.
 */
function writeMovedBuild(dir: string): void {
  const compiled = ts.transpileModule(MOVED_TS, {
    fileName: join(dir, 'src-gone', 'moved.ts'),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true, inlineSources: true },
  });
  const inputMap = JSON.parse(compiled.sourceMapText!);
  inputMap.sources = ['src-gone/moved.ts'];
  const result = instrument(compiled.outputText.replace(/\/\/# sourceMappingURL=.*$/m, ''), { filename: join(dir, 'moved.mjs'), inputSourceMap: inputMap, moduleType: 'esm' });
  writeFileSync(join(dir, 'moved.mjs'), `${result.code}\n//# sourceMappingURL=moved.mjs.map\n`);
  writeFileSync(join(dir, 'moved.mjs.map'), JSON.stringify(result.map));
  rmSync(join(dir, 'src-gone'), { recursive: true, force: true });
}

async function localsOf(client: Client, callFrame: any): Promise<Record<string, unknown>> {
  const local = callFrame.scopeChain.find((s: any) => s.type === 'local');
  const { result } = await client.send('Runtime.getProperties', { objectId: local.object.objectId, ownProperties: true, generatePreview: true });
  return Object.fromEntries(result.map((p: any) => [p.name, p.value.value ?? p.value.description]));
}

async function pause(client: Client): Promise<any> {
  const mark = client.mark();
  expect(await client.send('Debugger.pause')).toEqual({});
  return client.next('Debugger.paused', mark);
}

async function resume(client: Client, method = 'Debugger.resume'): Promise<void> {
  const mark = client.mark();
  expect(await client.send(method)).toEqual({});
  await client.next('Debugger.resumed', mark);
}

describe.each(runtimes)('CDP on $name', (runtime) => {
  it('busy, tight empty loop: pause with exact position, locals and mapped frames; evaluate; write back; resume and pause again', async () => {
    const { target, port } = await startBusy(runtime, 'busy-empty.mjs');
    const client = await attach(target, port);

    const contextEvent = client.next('Runtime.executionContextCreated');
    await client.send('Runtime.enable');
    const { context } = await contextEvent;
    expect(context).toMatchObject({ id: 1, origin: '', auxData: { isDefault: true } });
    expect(typeof context.uniqueId).toBe('string');

    const enabled = await client.send('Debugger.enable', { maxScriptsCacheSize: 10_000_000 });
    expect(typeof enabled.debuggerId).toBe('string');
    const script = await client.next('Debugger.scriptParsed', 0, (s) => s.url === programUrl('busy-empty.mjs'));
    const source = readFileSync(join(programsDir, 'busy-empty.mjs'), 'utf8');
    expect(script).toMatchObject({ startLine: 0, startColumn: 0, executionContextId: 1, endLine: source.split('\n').length - 1, isModule: true, length: source.length });
    expect(typeof script.hash).toBe('string');
    expect((await client.send('Debugger.getScriptSource', { scriptId: script.scriptId })).scriptSource).toBe(source);
    // Only original files are announced: never the instrumented copy, never the runtime.
    for (const event of client.events.filter((e) => e.method === 'Debugger.scriptParsed')) {
      expect(event.params.url).not.toContain('.tmp');
      expect(event.params.url).not.toContain('packages/runtime');
    }

    const paused = await pause(client);
    expect(paused.reason).toBe('other');
    const [top, caller] = paused.callFrames;
    expect(top).toMatchObject({
      functionName: 'spin',
      url: programUrl('busy-empty.mjs'),
      location: { scriptId: script.scriptId, lineNumber: lineOf('busy-empty.mjs', 'while (!done)'), columnNumber: columnOf('busy-empty.mjs', 'while (!done)') },
    });
    expect(top.scopeChain.map((s: any) => s.type)).toEqual(['local', 'global']);
    expect(await localsOf(client, top)).toEqual({ label: 'tight', started: 5, done: false, extra: 0 });
    // The caller: the original position of the call `spin('tight')`.
    expect(caller).toMatchObject({
      url: programUrl('busy-empty.mjs'),
      location: { scriptId: script.scriptId, lineNumber: lineOf('busy-empty.mjs', "spin('tight')"), columnNumber: columnOf('busy-empty.mjs', "spin('tight')") },
    });

    const evaluated = await client.send('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrameId, expression: 'label + started' });
    expect(evaluated.result).toEqual({ type: 'string', value: 'tight5' });
    const constant = await client.send('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrameId, expression: 'started = 1' });
    expect(constant.exceptionDetails).toBeDefined();
    expect(constant.result).toMatchObject({ type: 'object', subtype: 'error', className: 'TypeError' });
    expect((await client.send('Runtime.evaluate', { expression: '5 * 5' })).result).toEqual({ type: 'number', value: 25, description: '25' });
    expect((await client.send('Runtime.evaluate', { expression: '({ a: [1, "x"] })', contextId: 1, returnByValue: true })).result).toMatchObject({ type: 'object', value: { a: [1, 'x'] } });
    const thrown = await client.send('Runtime.evaluate', { expression: 'undefinedName + 1' });
    expect(thrown.exceptionDetails.exception).toMatchObject({ type: 'object', subtype: 'error', className: 'ReferenceError' });

    await resume(client);
    const again = await pause(client);
    expect(again.callFrames[0].location.lineNumber).toBe(lineOf('busy-empty.mjs', 'while (!done)'));
    // A step over in a loop lands on its next check: the next iteration.
    const mark = client.mark();
    await client.send('Debugger.stepOver');
    const stepped = await client.next('Debugger.paused', mark);
    expect(stepped.callFrames[0].location.lineNumber).toBe(lineOf('busy-empty.mjs', 'while (!done)'));

    // Change the program: one local through setVariableValue, one through an assignment.
    const frame = stepped.callFrames[0];
    expect(await client.send('Debugger.setVariableValue', { scopeNumber: 0, variableName: 'extra', newValue: { value: 37 }, callFrameId: frame.callFrameId })).toEqual({});
    expect(await localsOf(client, frame)).toMatchObject({ extra: 37 });
    await client.send('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression: 'done = true' });
    await resume(client);
    await target.line(/^result /);
    expect(target.stdout()).toContain('result 42');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('busy loop with work: breakpoints by url and urlRegex resolve to checks; stepInto / stepOut / stepOver by stack depth', async () => {
    const { target, port } = await startBusy(runtime, 'busy-work.mjs');
    const client = await attach(target, port);
    await enable(client);
    const url = programUrl('busy-work.mjs');
    const forLine = lineOf('busy-work.mjs', 'for (let start');
    const forColumn = columnOf('busy-work.mjs', 'for (let start');

    // Lines inside the for statement's body resolve to the next check: collatz' own are before,
    // so ask for the line of the for statement itself.
    // With a condition, evaluated against the check's locals.
    const mark = client.mark();
    const set = await client.send('Debugger.setBreakpointByUrl', { url, lineNumber: forLine, columnNumber: 0, condition: 'start === 50' });
    expect(set.locations).toEqual([{ scriptId: expect.any(String), lineNumber: forLine, columnNumber: forColumn }]);
    const hit = await client.next('Debugger.paused', mark);
    expect(hit.hitBreakpoints).toEqual([set.breakpointId]);
    expect(hit.callFrames[0]).toMatchObject({ functionName: 'search', location: { lineNumber: forLine, columnNumber: forColumn } });
    const locals = await localsOf(client, hit.callFrames[0]);
    expect(Object.keys(locals)).toEqual(expect.arrayContaining(['limit', 'best', 'rounds', 'stop', 'start']));
    expect(locals.start).toBe(50);

    // stepInto: the very next check, the entry of collatz, one frame deeper.
    let at = client.mark();
    await client.send('Debugger.stepInto');
    const into = await client.next('Debugger.paused', at);
    expect(into.callFrames[0]).toMatchObject({ functionName: 'collatz', location: { lineNumber: lineOf('busy-work.mjs', 'function collatz'), columnNumber: 0 } });
    expect(into.callFrames[1]).toMatchObject({ functionName: 'search', location: { lineNumber: lineOf('busy-work.mjs', 'collatz(start)'), columnNumber: columnOf('busy-work.mjs', 'collatz(start)') } });
    expect(into.callFrames.length).toBe(hit.callFrames.length + 1);

    // stepOut: the next check in a shallower frame: the for loop's next iteration in search.
    at = client.mark();
    await client.send('Debugger.stepOut');
    const out = await client.next('Debugger.paused', at);
    expect(out.callFrames[0]).toMatchObject({ functionName: 'search', location: { lineNumber: forLine } });

    // stepOver: the next check at the same depth or shallower, skipping everything collatz does.
    const startBefore = (await localsOf(client, out.callFrames[0])).start as number;
    at = client.mark();
    await client.send('Debugger.stepOver');
    const over = await client.next('Debugger.paused', at);
    expect(over.callFrames[0]).toMatchObject({ functionName: 'search', location: { lineNumber: forLine } });
    const startAfter = (await localsOf(client, over.callFrames[0])).start as number;
    expect(startAfter === startBefore + 1 || startAfter === 1).toBe(true);

    // urlRegex (what DevTools sends for file: URLs), on the outer loop.
    expect(await client.send('Debugger.removeBreakpoint', { breakpointId: set.breakpointId })).toEqual({});
    const whileLine = lineOf('busy-work.mjs', 'while (!stop)');
    const byRegex = await client.send('Debugger.setBreakpointByUrl', { urlRegex: 'busy-work\\.mjs$', lineNumber: whileLine, columnNumber: 0, condition: '' });
    expect(byRegex.locations).toEqual([{ scriptId: expect.any(String), lineNumber: whileLine, columnNumber: columnOf('busy-work.mjs', 'while (!stop)') }]);
    const possible = await client.send('Debugger.getPossibleBreakpoints', { start: { scriptId: byRegex.locations[0].scriptId, lineNumber: 0, columnNumber: 0 } });
    expect(possible.locations.map((l: any) => l.lineNumber)).toEqual(expect.arrayContaining([whileLine, forLine]));
    at = client.mark();
    await client.send('Debugger.resume');
    const outer = await client.next('Debugger.paused', at);
    expect(outer.hitBreakpoints).toEqual([byRegex.breakpointId]);
    expect(outer.callFrames[0].location.lineNumber).toBe(whileLine);

    await client.send('Debugger.setVariableValue', { scopeNumber: 0, variableName: 'stop', newValue: { value: true }, callFrameId: outer.callFrames[0].callFrameId });
    await client.send('Debugger.removeBreakpoint', { breakpointId: byRegex.breakpointId });
    await resume(client);
    await target.line(/^best /);
    expect(target.stdout()).toMatch(/best \d+ after some rounds/);
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('deep recursion through Array.from and sort callbacks: every program frame mapped to its call site', async () => {
    const { target, port } = await startBusy(runtime, 'recursion.mjs');
    const client = await attach(target, port);
    await enable(client);
    const paused = await pause(client);
    const frames = paused.callFrames;
    const url = programUrl('recursion.mjs');
    expect(frames[0]).toMatchObject({ functionName: 'compare', url, location: { lineNumber: lineOf('recursion.mjs', 'while (!gate.open)'), columnNumber: 2 } });
    expect(Object.keys(await localsOf(client, frames[0]))).toEqual(['a', 'b', 'gate']);
    const inProgram = frames.filter((f: any) => f.url === url);
    const at = (text: string): any[] => inProgram.filter((f: any) => f.location.lineNumber === lineOf('recursion.mjs', text));
    // The comparator's caller (through the engine's sort), the 40 recursive calls (through
    // Array.from), and the top-level call, each at the original position of its call.
    expect(at('.sort(compare)')).toHaveLength(1);
    expect(at('.sort(compare)')[0]).toMatchObject({ functionName: 'descend', location: { columnNumber: columnOf('recursion.mjs', 'sort(compare)') } });
    const recursive = at('Array.from(').filter((f: any) => f.location.columnNumber === columnOf('recursion.mjs', 'from('));
    expect(recursive).toHaveLength(40);
    for (const frame of recursive) expect(frame.functionName).toBe('descend');
    expect(at('descend(40, items)')).toHaveLength(1);
    expect(at('descend(40, items)')[0].location.columnNumber).toBe(columnOf('recursion.mjs', 'descend(40, items)'));
    // V8 keeps the arrow callbacks' frames; JavaScriptCore drops them (proper tail calls).
    const arrows = at('Array.from(').filter((f: any) => f.location.columnNumber === columnOf('recursion.mjs', 'descend(d - 1, items)'));
    if (runtime.name !== 'bun') expect(arrows).toHaveLength(40);
    // Plus the comparator itself, its caller and the top-level call: nothing else.
    expect(arrows.length + recursive.length + 3).toBe(inProgram.length);
    // Nothing of the runtime, nothing without a script.
    const scripts = new Set(client.events.filter((e) => e.method === 'Debugger.scriptParsed').map((e) => e.params.scriptId));
    for (const frame of frames) {
      expect(scripts.has(frame.location.scriptId)).toBe(true);
      expect(frame.url).not.toContain('packages/runtime');
    }

    await client.send('Debugger.evaluateOnCallFrame', { callFrameId: frames[0].callFrameId, expression: 'gate.open = true' });
    await resume(client);
    await target.line(/^smallest /);
    expect(target.stdout()).toContain('smallest 1');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('TypeScript compiled with a source map: scripts, positions and frames are the .ts file', async () => {
    const { target, port } = await startBusy(runtime, 'typed.ts');
    const client = await attach(target, port);
    await enable(client);
    const url = programUrl('typed.ts');
    const script = await client.next('Debugger.scriptParsed', 0, (s) => s.url === url);
    expect(client.events.some((e) => e.method === 'Debugger.scriptParsed' && e.params.url.endsWith('typed.mjs'))).toBe(false);
    expect((await client.send('Debugger.getScriptSource', { scriptId: script.scriptId })).scriptSource).toBe(readFileSync(join(programsDir, 'typed.ts'), 'utf8'));

    // Wherever a pause lands, it is one of the two checks of the loop, in .ts coordinates.
    const paused = await pause(client);
    const whileAt = { lineNumber: lineOf('typed.ts', 'while (hold)'), columnNumber: columnOf('typed.ts', 'while (hold)') };
    const normAt = { lineNumber: lineOf('typed.ts', 'function norm'), columnNumber: 0 };
    const { lineNumber, columnNumber } = paused.callFrames[0].location;
    expect([whileAt, normAt]).toContainEqual({ lineNumber, columnNumber });
    await resume(client);

    const mark = client.mark();
    const set = await client.send('Debugger.setBreakpointByUrl', { urlRegex: 'typed\\.ts$', lineNumber: whileAt.lineNumber, columnNumber: 0 });
    expect(set.locations).toEqual([{ scriptId: script.scriptId, ...whileAt }]);
    const hit = await client.next('Debugger.paused', mark);
    expect(hit.callFrames[0]).toMatchObject({ functionName: 'orbit', url, location: whileAt });
    expect(hit.callFrames[1]).toMatchObject({ url, location: { lineNumber: lineOf('typed.ts', 'orbit(1000)'), columnNumber: columnOf('typed.ts', 'orbit(1000)') } });
    expect(await localsOf(client, hit.callFrames[0])).toMatchObject({ steps: 1000, hold: true });

    await client.send('Debugger.removeBreakpoint', { breakpointId: set.breakpointId });
    await client.send('Debugger.evaluateOnCallFrame', { callFrameId: hit.callFrames[0].callFrameId, expression: 'hold = false' });
    await resume(client);
    await target.line(/^turns /);
    expect(target.stdout()).toContain('turns many');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('a breakpoint in a module that is not loaded yet resolves when it registers (Debugger.breakpointResolved)', async () => {
    const { target, port } = await startBusy(runtime, 'lazy-main.mjs');
    const client = await attach(target, port);
    await enable(client);
    const paused = await pause(client);
    expect(paused.callFrames[0]).toMatchObject({ url: programUrl('lazy-main.mjs'), location: { lineNumber: lineOf('lazy-main.mjs', 'while (!load)') } });
    expect(await localsOf(client, paused.callFrames[0])).toMatchObject({ load: false });
    expect(client.events.some((e) => e.method === 'Debugger.scriptParsed' && e.params.url === programUrl('lazy-dep.mjs'))).toBe(false);

    const forLine = lineOf('lazy-dep.mjs', 'for (let i');
    const set = await client.send('Debugger.setBreakpointByUrl', { url: programUrl('lazy-dep.mjs'), lineNumber: forLine, condition: 'i === 2' });
    expect(set.locations).toEqual([]);
    await client.send('Debugger.evaluateOnCallFrame', { callFrameId: paused.callFrames[0].callFrameId, expression: 'load = true' });
    const mark = client.mark();
    await client.send('Debugger.resume');
    const script = await client.next('Debugger.scriptParsed', mark, (s) => s.url === programUrl('lazy-dep.mjs'));
    const resolved = await client.next('Debugger.breakpointResolved', mark);
    expect(resolved).toEqual({ breakpointId: set.breakpointId, location: { scriptId: script.scriptId, lineNumber: forLine, columnNumber: columnOf('lazy-dep.mjs', 'for (let i') } });
    const hit = await client.next('Debugger.paused', mark);
    expect(hit.hitBreakpoints).toEqual([set.breakpointId]);
    expect(hit.callFrames[0]).toMatchObject({ functionName: 'work', url: programUrl('lazy-dep.mjs'), location: resolved.location });
    expect(await localsOf(client, hit.callFrames[0])).toEqual({ n: 3, total: 1, i: 2 });
    expect(hit.callFrames[1]).toMatchObject({ url: programUrl('lazy-main.mjs'), location: { lineNumber: lineOf('lazy-main.mjs', 'work(3)'), columnNumber: columnOf('lazy-main.mjs', 'work(3)') } });
    await resume(client);
    await target.line(/^work /);
    expect(target.stdout()).toContain('work 3');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it('CommonJS: the program requires the CommonJS build while the wrapper imported the ES one; one agent serves both', async () => {
    const { target, port } = await startBusy(runtime, 'busy-cjs.cjs');
    const client = await attach(target, port);
    await enable(client);
    const script = await client.next('Debugger.scriptParsed', 0, (s) => s.url === programUrl('busy-cjs.cjs'));
    expect(script.isModule).toBe(false);
    const paused = await pause(client);
    expect(paused.callFrames[0]).toMatchObject({ functionName: 'run', url: programUrl('busy-cjs.cjs'), location: { lineNumber: lineOf('busy-cjs.cjs', 'while (hold)'), columnNumber: columnOf('busy-cjs.cjs', 'while (hold)') } });
    expect(await localsOf(client, paused.callFrames[0])).toEqual({ limit: 3, hold: true });
    expect(paused.callFrames[1]).toMatchObject({ url: programUrl('busy-cjs.cjs'), location: { lineNumber: lineOf('busy-cjs.cjs', 'counter.run(3)'), columnNumber: columnOf('busy-cjs.cjs', 'run(3)') } });
    await client.send('Debugger.setVariableValue', { scopeNumber: 0, variableName: 'hold', newValue: { value: false }, callFrameId: paused.callFrames[0].callFrameId });
    await resume(client);
    await target.line(/^ran /);
    expect(target.stdout()).toContain('ran 3');
    expect(await target.exited).toEqual({ code: 0, signal: null });
    expect(target.stderr().match(/Debugger listening on/g)).toHaveLength(1);
  });

  it('idle: activation from the event loop; Debugger.pause answers at once and pauses at the next check', async () => {
    const target = launch(runtime, dir, 'idle.mjs', 'idle');
    await target.line(/^idle$/);
    target.trigger();
    const { port } = await target.banner;
    const client = await attach(target, port);
    await enable(client);
    // Served from the event loop: nothing is paused.
    expect((await client.send('Runtime.evaluate', { expression: 'typeof stopTicking', returnByValue: true })).result).toEqual({ type: 'string', value: 'function' });

    const paused = await pause(client);
    expect(paused.callFrames[0]).toMatchObject({ functionName: 'tick', url: programUrl('idle.mjs'), location: { lineNumber: lineOf('idle.mjs', 'function tick'), columnNumber: 0 } });
    expect(await localsOf(client, paused.callFrames[0])).toEqual({ label: 'ticker' });
    await resume(client);

    const stopped = await client.send('Runtime.evaluate', { expression: 'stopTicking()' });
    expect(stopped.result).toEqual({ type: 'string', value: 'stopping' });
    await target.line(/^stopped after/);
    expect(target.stdout()).toContain('stopped after some ticks');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });

  it.each([
    ['500 signals', 'signal-storm'],
    ['500 requests from another thread', 'storm'],
  ] as const)('a storm of activation requests (%s) gives one server and one banner', async (_title, mode) => {
    const { target, port } = await startBusy(runtime, 'busy-empty.mjs', mode);
    const client = await attach(target, port);
    await enable(client);
    const paused = await pause(client);
    expect(target.stderr().match(/Debugger listening on/g)).toHaveLength(1);
    expect(target.stderr()).toContain('For help, see: https://www.npmjs.com/package/trapdoor-js#attaching-a-debugger');
    expect(target.stderr()).toContain('Debugger attached.');
    await client.send('Debugger.evaluateOnCallFrame', { callFrameId: paused.callFrames[0].callFrameId, expression: 'done = true' });
    await resume(client);
    expect(await target.exited).toEqual({ code: 0, signal: null });
    expect(target.stderr().match(/Debugger listening on/g)).toHaveLength(1);
  });

  it('a client that leaves while paused resumes the program, which runs to completion with what it changed', async () => {
    const { target, port } = await startBusy(runtime, 'busy-empty.mjs');
    const client = await attach(target, port);
    await enable(client);
    const paused = await pause(client);
    await client.send('Debugger.evaluateOnCallFrame', { callFrameId: paused.callFrames[0].callFrameId, expression: 'extra = 7, done = true' });
    await client.close();
    clients.splice(clients.indexOf(client), 1);
    await target.line(/^result /);
    expect(target.stdout()).toContain('result 12');
    expect(await target.exited).toEqual({ code: 0, signal: null });
    const wsUrl = (await target.banner).wsUrl;
    expect(target.stderr()).toContain(`Debugger ending on ${wsUrl}`);
  });

  it('two clients at once both see a pause and either can resume; a late client gets scripts and the pause replayed', async () => {
    const { target, port } = await startBusy(runtime, 'busy-empty.mjs');
    const a = await attach(target, port);
    const b = await attach(target, port);
    await enable(a);
    await enable(b);
    const [markA, markB] = [a.mark(), b.mark()];
    await a.send('Debugger.pause');
    const [pausedA, pausedB] = await Promise.all([a.next('Debugger.paused', markA), b.next('Debugger.paused', markB)]);
    expect(pausedA.callFrames[0].location).toEqual(pausedB.callFrames[0].location);
    // Each session has its own objects.
    expect(pausedA.callFrames[0].scopeChain[0].object.objectId).not.toBe(pausedB.callFrames[0].scopeChain[0].object.objectId);
    expect((await b.send('Debugger.evaluateOnCallFrame', { callFrameId: pausedB.callFrames[0].callFrameId, expression: 'label' })).result.value).toBe('tight');

    // B resumes what A paused; both hear it.
    const [resumedA, resumedB] = [a.mark(), b.mark()];
    await b.send('Debugger.resume');
    await Promise.all([a.next('Debugger.resumed', resumedA), b.next('Debugger.resumed', resumedB)]);

    // B pauses; a third client joins while paused and is told everything.
    const again = a.mark();
    await b.send('Debugger.pause');
    const pausedAgain = await a.next('Debugger.paused', again);
    const c = await attach(target, port);
    await c.send('Runtime.enable');
    await c.send('Debugger.enable');
    await c.next('Debugger.scriptParsed', 0, (s) => s.url === programUrl('busy-empty.mjs'));
    const replayed = await c.next('Debugger.paused');
    expect(replayed.callFrames[0].location).toEqual(pausedAgain.callFrames[0].location);
    expect(c.events.findIndex((e) => e.method === 'Debugger.paused')).toBeGreaterThan(c.events.findIndex((e) => e.method === 'Debugger.scriptParsed'));

    await a.send('Debugger.evaluateOnCallFrame', { callFrameId: pausedAgain.callFrames[0].callFrameId, expression: 'done = true' });
    await resume(a);
    await target.line(/^result /);
    expect(await target.exited).toEqual({ code: 0, signal: null });
    expect(target.stderr().match(/Debugger attached\./g)).toHaveLength(3);
  });

  it('answers the start-up sequences of DevTools, VS Code and node inspect; unknown methods get -32601', async () => {
    const { target, port } = await startBusy(runtime, 'busy-empty.mjs');
    const client = await attach(target, port);
    // node inspect (strictly in order), then what DevTools and VS Code add.
    for (const [method, params] of [
      ['Runtime.enable'],
      ['Profiler.enable'],
      ['Profiler.setSamplingInterval', { interval: 100 }],
      ['Debugger.enable'],
      ['Debugger.setAsyncCallStackDepth', { maxDepth: 0 }],
      ['Debugger.setBlackboxPatterns', { patterns: [] }],
      ['Debugger.setPauseOnExceptions', { state: 'none' }],
      ['Runtime.runIfWaitingForDebugger'],
      ['NodeWorker.enable', { waitForDebuggerOnStart: true }],
      ['NodeRuntime.enable'],
      ['HeapProfiler.enable'],
      ['Debugger.setAsyncCallStackDepth', { maxDepth: 32 }],
      ['Debugger.setBreakpointsActive', { active: true }],
      ['Runtime.releaseObjectGroup', { objectGroup: 'console' }],
    ] as Array<[string, object?]>) {
      expect(typeof (await client.send(method, params))).toBe('object');
    }
    expect((await client.send('Runtime.evaluate', { expression: 'process.pid > 0', contextId: 1, returnByValue: true })).result).toEqual({ type: 'boolean', value: true });
    // Attached, nothing pending: the checks' REQUEST word is clear again (their fast path); a
    // breakpoint keeps Request.BREAK (8) set so that every check comes to the trap. (MESSAGE, 2,
    // may be set for a moment by the worker ringing for a message already read: masked out.)
    const request = { expression: 'globalThis[Symbol.for("trapdoor.control-block")][0] & ~2', returnByValue: true };
    expect((await client.send('Runtime.evaluate', request)).result.value).toBe(0);
    const breakpoint = await client.send('Debugger.setBreakpointByUrl', { url: programUrl('busy-empty.mjs'), lineNumber: lineOf('busy-empty.mjs', 'function warmUp') });
    expect(breakpoint.locations).toHaveLength(1); // warmUp's entry: resolved, and never called again
    expect((await client.send('Runtime.evaluate', request)).result.value).toBe(8);
    await client.send('Debugger.removeBreakpoint', { breakpointId: breakpoint.breakpointId });
    expect((await client.send('Runtime.evaluate', request)).result.value).toBe(0);
    await expect(client.cdp.send('Profiler.start')).rejects.toMatchObject({ response: { code: -32601 } });
    await expect(client.cdp.send('Nope.nothing')).rejects.toMatchObject({ response: { code: -32601 } });
    await expect(client.cdp.send('Debugger.resume')).rejects.toMatchObject({ response: { code: -32000 } });
    // Getters are listed, not run; previews and properties of common values.
    const made = await client.send('Runtime.evaluate', {
      expression: '({ n: 1, s: "two", big: 3n, neg: -0, nested: { deep: true }, list: [1, 2, 3], map: new Map([["k", 1]]), get risky() { throw new Error("ran") } })',
      generatePreview: true,
    });
    expect(made.result).toMatchObject({ type: 'object', className: 'Object', description: 'Object' });
    expect(made.result.preview.properties.slice(0, 4)).toEqual([
      { name: 'n', type: 'number', value: '1' },
      { name: 's', type: 'string', value: 'two' },
      { name: 'big', type: 'bigint', value: '3n' },
      { name: 'neg', type: 'number', value: '-0' },
    ]);
    const { result, internalProperties } = await client.send('Runtime.getProperties', { objectId: made.result.objectId, ownProperties: true, generatePreview: true });
    const byName = Object.fromEntries(result.map((p: any) => [p.name, p]));
    expect(byName.list.value).toMatchObject({ type: 'object', subtype: 'array', description: 'Array(3)' });
    expect(byName.map.value).toMatchObject({ type: 'object', subtype: 'map', description: 'Map(1)' });
    expect(byName.big.value).toEqual({ type: 'bigint', unserializableValue: '3n', description: '3n' });
    expect(byName.risky.get).toMatchObject({ type: 'function' });
    expect(byName.risky.value).toBeUndefined();
    expect(internalProperties.map((p: any) => p.name)).toContain('[[Prototype]]');
    const called = await client.send('Runtime.callFunctionOn', {
      objectId: made.result.objectId,
      functionDeclaration: 'function (extra) { return this.n + this.list.length + extra; }',
      arguments: [{ value: 10 }],
      returnByValue: true,
    });
    expect(called.result).toEqual({ type: 'number', value: 14, description: '14' });
    expect(target.stderr()).not.toMatch(/trapdoor: /);
  });

  describe('what debuggers show', () => {
    const views = 'views.mjs';
    const line = (text: string) => lineOf(views, text);
    const column = (text: string) => columnOf(views, text);

    async function breakAt(client: Client, text: string): Promise<{ set: any; hit: any }> {
      const mark = client.mark();
      const set = await client.send('Debugger.setBreakpointByUrl', { url: programUrl(views), lineNumber: line(text), columnNumber: 0 });
      const hit = await client.next('Debugger.paused', mark);
      expect(hit.hitBreakpoints).toEqual([set.breakpointId]);
      await client.send('Debugger.removeBreakpoint', { breakpointId: set.breakpointId });
      return { set, hit };
    }

    it('breakpoints resolve inside their own function (a loop body to its loop), else stay pending with the reason; getPossibleBreakpoints lists the checks', async () => {
      const { target, port } = await startBusy(runtime, views);
      const client = await attach(target, port);
      await enable(client);

      // After the last check of collatzSteps: no check of its own follows, so it stays pending (not in `other`, the next function).
      const pending = await client.send('Debugger.setBreakpointByUrl', { url: programUrl(views), lineNumber: line('return steps;'), columnNumber: 0 });
      expect(pending.locations).toEqual([]);
      expect(pending.reason).toMatch(/in function collatzSteps/);
      await client.send('Debugger.removeBreakpoint', { breakpointId: pending.breakpointId });

      // The first statement of a loop body: that loop's check.
      const { set, hit } = await breakAt(client, 'n = n % 2');
      const whileLine = line('while (n !== 1)');
      expect(set.locations).toEqual([{ scriptId: expect.any(String), lineNumber: whileLine, columnNumber: column('while (n !== 1)') }]);
      expect(hit.callFrames[0]).toMatchObject({ functionName: 'collatzSteps', location: { lineNumber: whileLine } });
      const scriptId = set.locations[0].scriptId;

      // By location (what `node inspect`'s sb(line) sends): the same resolution, or V8's error with the reason.
      const byLocation = await client.send('Debugger.setBreakpoint', { location: { scriptId, lineNumber: line('steps++;') } });
      expect(byLocation.actualLocation).toMatchObject({ lineNumber: whileLine });
      await client.send('Debugger.removeBreakpoint', { breakpointId: byLocation.breakpointId });
      await expect(client.send('Debugger.setBreakpoint', { location: { scriptId, lineNumber: line('return x;') } })).rejects.toThrow(/Could not resolve breakpoint: .*in function other/);

      const possible = await client.send('Debugger.getPossibleBreakpoints', { start: { scriptId, lineNumber: line('function collatzSteps'), columnNumber: 0 }, end: { scriptId, lineNumber: line('const price'), columnNumber: 0 } });
      expect(possible.locations.map((l: any) => l.lineNumber)).toEqual([line('function collatzSteps'), whileLine, line('function other'), line('for (let i = 0; i < 2')]);
      const own = await client.send('Debugger.getPossibleBreakpoints', { start: { scriptId, lineNumber: line('function other'), columnNumber: 0 }, restrictToFunction: true });
      expect(own.locations.map((l: any) => l.lineNumber)).toEqual([line('function other'), line('for (let i = 0; i < 2')]);

      await resume(client);
      // The top-level loop's body: its check, where `stop` is a local.
      const top = (await breakAt(client, 'collatzSteps(27);')).hit;
      expect(top.callFrames[0].location.lineNumber).toBe(line('while (!stop)'));
      await client.send('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrames[0].callFrameId, expression: 'stop = true' });
      await resume(client);
      await target.line(/^stopped after/);
      expect(await target.exited).toEqual({ code: 0, signal: null });
    });

    it('a breakpoint in a leaf function without a check (nested before a top-level loop) stays pending with the reason, and never pauses the program', async () => {
      const leaf = 'leaf-before-loop.mjs';
      const { target, port } = await startBusy(runtime, leaf);
      const client = await attach(target, port);
      await enable(client);
      const mark = client.mark();
      // Before the module table listed such functions, this resolved to the top-level loop's check and paused at once.
      const pending = await client.send('Debugger.setBreakpointByUrl', { url: programUrl(leaf), lineNumber: lineOf(leaf, 'return n + step;'), columnNumber: 0 });
      expect(pending.locations).toEqual([]);
      expect(pending.reason).toBe("function tick has no check: trap mode puts none in a function with neither loop nor call (instrument with entryChecks: 'all' to stop there)");
      // A breakpoint in the loop itself does resolve: the first pause after both is that one's, at the loop, though tick ran all along.
      const loop = await client.send('Debugger.setBreakpointByUrl', { url: programUrl(leaf), lineNumber: lineOf(leaf, 'n = tick(n);'), columnNumber: 0 });
      const whileLine = lineOf(leaf, 'while (!stop)');
      expect(loop.locations).toEqual([{ scriptId: expect.any(String), lineNumber: whileLine, columnNumber: 0 }]);
      const hit = await client.next('Debugger.paused', mark);
      expect(hit.hitBreakpoints).toEqual([loop.breakpointId]);
      expect(hit.callFrames[0].location.lineNumber).toBe(whileLine);
      const scriptId = loop.locations[0].scriptId;
      // What node inspect's sb(line) sends: V8's error, with the reason; getPossibleBreakpoints lists nothing in tick.
      await expect(client.send('Debugger.setBreakpoint', { location: { scriptId, lineNumber: lineOf(leaf, 'return n + step;') } })).rejects.toThrow(/Could not resolve breakpoint: function tick has no check/);
      const inTick = await client.send('Debugger.getPossibleBreakpoints', { start: { scriptId, lineNumber: lineOf(leaf, 'return n + step;'), columnNumber: 0 }, restrictToFunction: true });
      expect(inTick.locations).toEqual([]);
      await client.send('Debugger.removeBreakpoint', { breakpointId: loop.breakpointId });
      await client.send('Debugger.evaluateOnCallFrame', { callFrameId: hit.callFrames[0].callFrameId, expression: 'stop = true' });
      await resume(client);
      await target.line(/^stopped, counted some$/);
      expect(await target.exited).toEqual({ code: 0, signal: null });
    });

    it('`this` in a method and in a derived constructor after super(); VS Code\'s description of a value with its own toString; eager evaluation', async () => {
      const { target, port } = await startBusy(runtime, views);
      const client = await attach(target, port);
      await enable(client);

      // A method: the receiver, as Node shows it, and frame evaluation sees it.
      const method = (await breakAt(client, 'this.count++;')).hit;
      expect(method.callFrames[0]).toMatchObject({ functionName: 'run', this: { type: 'object', className: 'Timed', description: 'Timed' } });
      const limit = await client.send('Debugger.evaluateOnCallFrame', { callFrameId: method.callFrames[0].callFrameId, expression: 'this.limit', returnByValue: true });
      expect(limit.result.value).toBeGreaterThanOrEqual(100);
      await resume(client);

      // A derived class's constructor, in a loop after super().
      const ctor = (await breakAt(client, 'this.count = lap;')).hit;
      expect(ctor.callFrames[0]).toMatchObject({ functionName: 'Timed', this: { type: 'object', className: 'Timed' }, location: { lineNumber: line('for (let lap') } });
      const inCtor = await client.send('Debugger.evaluateOnCallFrame', { callFrameId: ctor.callFrames[0].callFrameId, expression: 'this.limit - 100 < 7', returnByValue: true });
      expect(inCtor.result.value).toBe(true);
      await resume(client);

      // The top level: VS Code lists the locals and describes them with throwOnSideEffect.
      const top = (await breakAt(client, 'rounds++;')).hit;
      const local = top.callFrames[0].scopeChain.find((s: any) => s.type === 'local');
      const symbols = await client.send('Runtime.callFunctionOn', { functionDeclaration: JS_DEBUG_DESCRIPTION_SYMBOLS, objectId: local.object.objectId, arguments: [] });
      const describe = (objectId: string) =>
        client.send('Runtime.callFunctionOn', { functionDeclaration: JS_DEBUG_STRINGY_PROPS, arguments: [{ objectId: symbols.result.objectId }], objectId, throwOnSideEffect: true, returnByValue: true });
      const described = await describe(local.object.objectId);
      expect(described.exceptionDetails).toBeUndefined();
      expect(described.result.value).toEqual({ out: { price: '$12.34' }, customProps: false });
      // An object holding a value whose toString has a side effect: V8's EvalError, and the toString never ran.
      const box = await client.send('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrames[0].callFrameId, expression: 'box' });
      const refused = await describe(box.result.objectId);
      expect(refused.exceptionDetails).toBeDefined();
      expect(refused.result).toMatchObject({ subtype: 'error', className: 'EvalError', description: 'EvalError: Possible side-effect in debug-evaluate' });
      const count = await client.send('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrames[0].callFrameId, expression: 'Noisy.described', returnByValue: true });
      expect(count.result.value).toBe(0);
      // DevTools' eager evaluation: a path is read; anything else gets the same EvalError, unevaluated.
      const eager = await client.send('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrames[0].callFrameId, expression: 'price.cents', throwOnSideEffect: true, returnByValue: true });
      expect(eager.result.value).toBe(1234);
      const risky = await client.send('Runtime.evaluate', { expression: 'globalThis.touched = 1', throwOnSideEffect: true });
      expect(risky.result).toMatchObject({ className: 'EvalError' });
      expect((await client.send('Runtime.evaluate', { expression: 'typeof globalThis.touched', returnByValue: true })).result.value).toBe('undefined');

      await client.send('Debugger.evaluateOnCallFrame', { callFrameId: top.callFrames[0].callFrameId, expression: 'stop = true' });
      await resume(client);
      await target.line(/^stopped after/);
      expect(target.stdout()).toContain('stopped after some rounds, price $12.34, noisy described 0 times');
      expect(await target.exited).toEqual({ code: 0, signal: null });
    });

    it('getScriptSource of a build whose sources were moved away: the map\'s sourcesContent', async () => {
      const target = launch(runtime, dir, 'moved.mjs', 'signal');
      await target.line(/^spinning$/);
      target.trigger();
      const { port } = await target.banner;
      const client = await attach(target, port);
      const mark = client.mark();
      await enable(client);
      const parsed = await client.next('Debugger.scriptParsed', mark, (p) => p.url.endsWith('/src-gone/moved.ts'));
      const { scriptSource } = await client.send('Debugger.getScriptSource', { scriptId: parsed.scriptId });
      expect(scriptSource).toBe(MOVED_TS);
      const paused = await pause(client);
      expect(paused.callFrames[0].url).toBe(parsed.url);
      await client.send('Debugger.evaluateOnCallFrame', { callFrameId: paused.callFrames[0].callFrameId, expression: 'stop = true' });
      await resume(client);
      await target.line(/^moved done$/);
      expect(await target.exited).toEqual({ code: 0, signal: null });
    });
  });
});
