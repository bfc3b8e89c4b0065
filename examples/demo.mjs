// npm run demo: trapdoor's main job, end to end, in a few seconds.
//  1. `trapdoor run examples/stuck.js`: the program gets stuck in `while (found === null)`;
//  2. `trapdoor attach <pid>`: starts the debugger inside the busy process, prints its URLs;
//  3. `trapdoor stack <pid>`: where it is stuck, with its locals; it runs on;
//  4. a CDP client (chrome-remote-interface; Chrome DevTools, VS Code and `node inspect` speak
//     the same protocol): pause, evaluate, assign `found`, resume: the program leaves its loop
//     and finishes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import CDP from 'chrome-remote-interface';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const trapdoor = path.join(root, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const program = path.join('examples', 'stuck.js');
const show = (text) => process.stdout.write(text.replace(/^(?=.)/gm, '  '));
const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`demo: timed out waiting for ${what}`)), ms).unref())]);

/** `trapdoor run` starts the runtime as its child: the program's pid is the one below it. */
function programPid(pid) {
  for (;;) {
    let children = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {}
    if (children.length === 0) return pid;
    pid = Number(children[0]);
  }
}

/** Runs a trapdoor command to its end; the program's own output keeps flowing meanwhile. */
async function trapdoorCommand(...args) {
  console.log(`\n$ npx trapdoor ${args.join(' ')}`);
  const child = spawn(process.execPath, [trapdoor, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (data) => {
    stdout += data;
    show(String(data));
  });
  child.stderr.on('data', (data) => show(String(data)));
  const code = await within(new Promise((resolve) => child.on('close', resolve)), 30_000, `trapdoor ${args[0]}`);
  if (code !== 0) throw new Error(`demo: trapdoor ${args[0]} failed (exit ${code})`);
  return stdout;
}

/** The program's output, marked as the program's. */
const fromProgram = (data) => process.stdout.write(String(data).replace(/^(?=.)/gm, '  │ '));

console.log(`$ npx trapdoor run ${program}    # as if in another terminal; its output is marked │`);
const run = spawn(process.execPath, [trapdoor, 'run', '--port', '0', program], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const printed = new Promise((resolve) => {
  run.stdout.on('data', (data) => {
    output += data;
    fromProgram(data);
    if (output.includes('longest below')) resolve();
  });
});
run.stderr.on('data', fromProgram);
const exited = new Promise((resolve) => run.on('exit', (code, signal) => resolve({ code, signal })));
try {
  await within(printed, 30_000, 'the example to start');
  await new Promise((resolve) => setTimeout(resolve, 300)); // now it spins in `while (found === null)`
  const pid = programPid(run.pid);

  const attached = await trapdoorCommand('attach', String(pid));
  const wsUrl = /ws:\/\/\S+/.exec(attached)[0];
  await trapdoorCommand('stack', String(pid));

  console.log(`\n$ # a CDP client on ${wsUrl}`);
  const client = await CDP({ target: wsUrl, local: true });
  await client.Runtime.enable();
  await client.Debugger.enable();
  const paused = new Promise((resolve) => client.once('Debugger.paused', resolve));
  const started = performance.now();
  await client.Debugger.pause();
  const top = (await within(paused, 10_000, 'Debugger.paused')).callFrames[0];
  const where = `${path.relative(root, fileURLToPath(top.url))}:${top.location.lineNumber + 1}:${top.location.columnNumber + 1}`;
  console.log(`  Debugger.pause → Debugger.paused in ${(performance.now() - started).toFixed(1)} ms, at ${where}`);
  const { result } = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'attempts' });
  console.log(`  evaluate 'attempts' → ${result.value}`);
  await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'found = attempts' });
  console.log(`  evaluate 'found = attempts', then Debugger.resume`);
  await client.Debugger.resume();
  const end = await within(exited, 10_000, 'the program to finish');
  await client.close().catch(() => {});
  console.log(`\nThe program left its loop and exited with code ${end.code}; its last line: ${output.trim().split('\n').pop()}`);
  console.log(`By hand: open the DevTools URL above in Chrome, or run \`node inspect ${new URL(wsUrl).host}\`.`);
} catch (error) {
  run.kill('SIGKILL');
  console.error(error.message);
  process.exitCode = 1;
}
