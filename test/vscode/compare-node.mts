/**
 * What VS Code's js-debug shows on a paused busy program under trapdoor, next to what it shows
 * under Node's own inspector (`node --inspect`, the same program uninstrumented): the call stack,
 * scopes, locals, expanded values and evaluation results. Prints only the differences.
 *
 *   npx turbo run build --output-logs=errors-only && npx tsx test/vscode/compare-node.mts [node|bun|deno…]
 *
 * Not a test: it informs which differences are left (the end-to-end test asserts what works).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killTree, within } from '../e2e/harness.js';
import { attachVsCode, jsDebugBuilt, jsDebugMissing, startDapServer } from './js-debug.js';
import { children, evaluate, pauseAndLook } from './paused.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const program = fileURLToPath(new URL('./programs/spin.mjs', import.meta.url));
const BIN = join(repo, 'packages', 'trapdoor', 'bin', 'trapdoor.js');

/** Evaluated on the paused frame, in the Debug Console (`repl`), as VS Code would. */
const EXPRESSIONS = [
  'attempts + limit',
  'seen',
  'settings',
  'this',
  'typeof require',
  'typeof module',
  'new Map([[1, { a: 1 }]])',
  'new Set([1, 2])',
  'new Error("boom")',
  'Symbol("s")',
  '10n ** 20n',
  '(a, b) => a + b',
  'class Point { constructor() { this.x = 1; } }',
  'new (class Point { constructor() { this.x = 1; } })()',
  'new Date(0)',
  '/re/g',
  'Promise.resolve(1)',
  'new Uint8Array([1, 2])',
  '[1, , 3]',
  'Object.create(null)',
  'new Proxy({}, {})',
  'globalThis === this',
  'undefinedName',
  '"ünïcødé ✓"',
  'throw new TypeError("thrown")',
];

function start(target: string): { proc: ChildProcess; port: Promise<number>; output(): string } {
  const proc =
    target === 'node-inspector'
      ? spawn(process.execPath, ['--inspect=127.0.0.1:0', program], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, [BIN, 'run', '--runtime', target, '--port', '0', program], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const port = within(
    new Promise<number>((resolve) => {
      const check = setInterval(() => {
        if (!out.includes('spinning')) return;
        if (target === 'node-inspector') {
          const match = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
          if (match === null) return;
          clearInterval(check);
          return resolve(Number(match[1]));
        }
        clearInterval(check);
        const attach = spawnSync(process.execPath, [BIN, 'attach', '--json', String(proc.pid)], { encoding: 'utf8' });
        resolve(JSON.parse(attach.stdout).port);
      }, 50);
    }),
    `${target} to listen`,
    () => out,
  );
  return { proc, port, output: () => out };
}

async function transcript(target: string): Promise<Record<string, string>> {
  const server = await startDapServer();
  const running = start(target);
  const lines: Record<string, string> = {};
  try {
    const session = await attachVsCode(server.port, await running.port);
    const client = session.child;
    const paused = await pauseAndLook(client);
    lines['stopped'] = `${paused.stopped.reason} / ${paused.stopped.description}`;
    paused.frames.forEach((f, i) => (lines[`frame ${i}`] = `${f.name} ${f.source?.path ?? f.source?.name}:${f.line}:${f.column} ${f.presentationHint ?? ''}`));
    // Node's own inspector may stop inside js-debug's own evaluation, above spin: compare spin's frame.
    const index = paused.frames.findIndex((f) => f.name === 'spin');
    const frame = paused.frames[index];
    for (let i = index; i < paused.frames.length; i++) {
      const { scopes } = await client.request('scopes', { frameId: paused.frames[i].id });
      const at = i === index ? 'spin' : `spin+${i - index}`;
      lines[`${at} scopes`] = scopes.map((s: any) => `${s.name}${s.presentationHint ? ` (${s.presentationHint})` : ''}`).join(', ');
      for (const scope of scopes.filter((s: any) => s.name !== 'Global')) {
        const { variables } = await client.request('variables', { variablesReference: scope.variablesReference });
        for (const v of variables) {
          lines[`${at} ${scope.name}: ${v.name}`] = v.name === 'attempts' ? `<number> : ${v.type}` : `${v.value} : ${v.type}${v.presentationHint?.attributes ? ` ${v.presentationHint.attributes}` : ''}`;
          if (i === index && v.variablesReference > 0) {
            lines[`${at} ${scope.name}: ${v.name} ▸`] = (await children(client, v)).map((c) => `${c.name}=${c.value}`).join(', ');
          }
        }
      }
    }
    for (const expression of EXPRESSIONS) {
      try {
        const result = await evaluate(client, frame.id, expression);
        lines[`eval ${expression}`] = `${result.result} : ${result.type}`;
        if (result.variablesReference > 0 && !['this', 'globalThis'].includes(expression)) {
          const inner = await children(client, result);
          lines[`eval ${expression} ▸`] = inner.map((c) => `${c.name}=${c.value}`).join(', ');
        }
      } catch (error) {
        lines[`eval ${expression}`] = `error: ${String((error as Error).message).split('\n')[0].replace(/^child: evaluate failed: /, '')}`;
      }
    }
    await evaluate(client, frame.id, 'found = attempts');
    await client.request('continue', { threadId: paused.threadId });
    // (Under Node's own inspector the assignment may not reach an optimized frame below the top one.)
    const left = await within(
      new Promise<boolean>((resolve) => {
        let tries = 0;
        const check = setInterval(() => {
          if (running.output().includes('found a positive') || ++tries === 40) {
            clearInterval(check);
            resolve(running.output().includes('found a positive'));
          }
        }, 50);
      }),
      `${target} to leave its loop`,
    );
    lines['`found = attempts`, continue: the loop ends'] = String(left);
    await new Promise((resolve) => setTimeout(resolve, 300));
    lines['debug console output'] = JSON.stringify(client.output());
    // Node's own inspector keeps a --inspect process until its debugger leaves ("Waiting for the debugger to disconnect...").
    session.close();
  } finally {
    killTree(running.proc.pid!);
    server.stop();
  }
  return lines;
}

if (!jsDebugBuilt) {
  console.error(jsDebugMissing);
  process.exit(1);
}
const targets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['node', 'bun', 'deno'];
const reference = await transcript('node-inspector');
const brief = (value: string | undefined): string => {
  if (value === undefined) return '(absent)';
  const flat = value.replace(/\n\s*/g, '⏎ ');
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
};
for (const target of targets) {
  const got = await transcript(target);
  console.log(`\n== js-debug on trapdoor (${target}) vs Node's own inspector: differences`);
  // A scope that only one side has is one line, not one per variable.
  const scopeOf = (key: string): string | undefined => /^(spin(?:\+\d+)? [^:]+):/.exec(key)?.[1];
  const onlyIn = (lines: Record<string, string>, other: Record<string, string>, scope: string): boolean =>
    Object.keys(lines).some((k) => scopeOf(k) === scope) && !Object.keys(other).some((k) => scopeOf(k) === scope);
  const reported = new Set<string>();
  for (const key of new Set([...Object.keys(reference), ...Object.keys(got)])) {
    if (reference[key] === got[key]) continue;
    const scope = scopeOf(key);
    if (scope !== undefined && (onlyIn(reference, got, scope) || onlyIn(got, reference, scope))) {
      if (reported.has(scope)) continue;
      reported.add(scope);
      const count = (lines: Record<string, string>): number => Object.keys(lines).filter((k) => scopeOf(k) === scope && !k.endsWith('▸')).length;
      console.log(`${scope} (scope)\n    node --inspect: ${count(reference)} variables\n    trapdoor ${target}: ${count(got)} variables`);
      continue;
    }
    console.log(`${key}\n    node --inspect: ${brief(reference[key])}\n    trapdoor ${target}: ${brief(got[key])}`);
  }
}
process.exit(0);
