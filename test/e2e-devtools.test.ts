/**
 * End to end with the real Chrome DevTools front end: the one bundled in Debian's Chromium
 * (/usr/bin/chromium; `.ci/run` installs it), served by Chromium itself over its remote-debugging
 * port and driven through playwright-core. DevTools connects to a program started with
 * `trapdoor run` and activated with `trapdoor attach`, runs its own start-up sequence, lists the
 * original file, pauses the busy loop from its pause button, shows the frame and its locals, and
 * a Console assignment on the paused frame plus the Resume button let the program finish, with
 * DevTools still connected (not the resume that a leaving client causes).
 * Nothing here asserts on wall-clock time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, expect, it } from 'vitest';
import { killTree, programsDir, repoRoot, within } from './e2e/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const BIN = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI) {
  throw new Error(`${CHROMIUM} is missing: install it as root with 'apt-get install -y chromium' (.ci/run does)`);
}

const processes = new Set<ChildProcess>();
let browser: Browser | undefined;
let profile: string | undefined;
afterEach(() => {
  for (const proc of processes) {
    killTree(proc.pid!);
  }
  processes.clear();
});
afterAll(async () => {
  await browser?.close().catch(() => {});
  removeProfile();
});

/** Chromium's helper processes may still be writing the profile as they die: best effort. */
function removeProfile(): void {
  if (!profile) return;
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10 });
  } catch {
    // left in the temporary directory
  }
  profile = undefined;
}

/** Starts a process and collects its output; `until` resolves when the output matches. */
function start(command: string, args: string[], stream: 'stdout' | 'stderr' = 'stdout') {
  const proc = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  processes.add(proc);
  let text = '';
  let other = '';
  const waiters = new Set<() => void>();
  proc[stream].setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const w of [...waiters]) w();
  });
  proc[stream === 'stdout' ? 'stderr' : 'stdout'].setEncoding('utf8').on('data', (chunk: string) => (other += chunk));
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  const describe = (): string => `${command} ${args.join(' ')}\n--- ${stream}\n${text}\n--- other\n${other}`;
  const until = (pattern: RegExp): Promise<RegExpExecArray> =>
    within(
      new Promise((resolve) => {
        const check = (): void => {
          const match = pattern.exec(text);
          if (match) {
            waiters.delete(check);
            resolve(match);
          }
        };
        waiters.add(check);
        check();
      }),
      `${pattern}`,
      describe,
    );
  return { proc, until, exited, describe };
}

/** Chromium with its remote-debugging port, which also serves its bundled DevTools front end. */
async function launchChromium(): Promise<{ port: number }> {
  // One per test: the previous one was stopped with the test's processes.
  await browser?.close().catch(() => {});
  removeProfile();
  profile = mkdtempSync(join(tmpdir(), 'trapdoor-chromium-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
  const chrome = start(CHROMIUM, [...flags, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], 'stderr');
  const [, browserWs] = await chrome.until(/DevTools listening on (ws:\S+)/);
  browser = await chromium.connectOverCDP(browserWs!);
  return { port: Number(new URL(browserWs!).port) };
}

it.skipIf(missing)('Chrome DevTools attaches, pauses the busy loop, shows its frame and locals, and ends it from the Console', async () => {
  const script = join(programsDir, 'attach-spin.mjs');
  const program = start(process.execPath, [BIN, 'run', '--port', '0', script]);
  await program.until(/^spinning$/m);
  const attach = start(process.execPath, [BIN, 'attach', '--json', String(program.proc.pid)]);
  expect(await attach.exited, attach.describe()).toBe(0);
  const [json] = await attach.until(/^\{.*\}$/m);
  const address = JSON.parse(json!) as { wsUrl: string; devtoolsUrl: string };

  const { port } = await launchChromium();
  const page = await browser!.contexts()[0]!.newPage();
  // The devtools:// URL trapdoor prints, as served over HTTP by this Chromium.
  const frontEnd = address.devtoolsUrl.replace('devtools://devtools/bundled/', `http://127.0.0.1:${port}/devtools/`);
  await page.goto(frontEnd);

  // Connected: the execution context trapdoor announced, named like Node's.
  await page.getByText(/node\[\d+\]/).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Sources' }).click();
  // The navigator's tree starts collapsed: its top is the file: origin of the original file.
  await page.getByText('file://', { exact: true }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });

  await page.getByRole('button', { name: 'Pause script execution' }).click();
  await page.getByText('Debugger paused').filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  // The paused file is opened in the editor (and revealed in the navigator).
  await page.getByText('attach-spin.mjs', { exact: true }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  // The call stack: spin at line 5, its caller at line 12; the scope: spin's locals.
  await page.getByText('attach-spin.mjs:5').filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  const shown = (text: string) => page.getByText(text, { exact: true }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  await page.getByText('attach-spin.mjs:12').filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  await shown('spin');
  for (const name of ['attempts', 'found', 'limit']) await shown(name);
  await shown('1000'); // limit
  mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
  await page.screenshot({ path: join(repoRoot, 'test', '.tmp', 'devtools-paused.png') });

  // The Console evaluates on the paused frame; the assignment is written back to the loop.
  await page.getByRole('tab', { name: 'Console' }).click();
  const prompt = page.getByRole('textbox', { name: 'Console prompt' });
  await prompt.click();
  await page.keyboard.type('found = attempts');
  await page.keyboard.press('Enter');
  // The prompt is emptied once the expression was sent and its result printed.
  await page.getByText('found = attempts', { exact: true }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(repoRoot, 'test', '.tmp', 'devtools-console.png') });
  await page.getByRole('tab', { name: 'Sources' }).click();
  await page.getByRole('button', { name: 'Resume script execution' }).click();
  await program.until(/^found a positive number$/m);
  expect(await program.exited, program.describe()).toBe(0);
});

// One retry: under a loaded CI machine DevTools' UI has twice (in about ten fresh-clone runs, at
// load 8-10) not shown the paused location within 30 s after "Paused on breakpoint"; it has never
// failed alone. A real regression fails both attempts (afterEach kills the first one's processes,
// launchChromium starts a new browser).
it.skipIf(missing)('Chrome DevTools: a breakpoint clicked on a loop body line stops at that loop in its own function; a method shows its this', { retry: 1 }, async () => {
  const script = join(programsDir, 'views.mjs');
  const program = start(process.execPath, [BIN, 'run', '--port', '0', script]);
  await program.until(/^spinning$/m);
  const attach = start(process.execPath, [BIN, 'attach', '--json', String(program.proc.pid)]);
  expect(await attach.exited, attach.describe()).toBe(0);
  const [json] = await attach.until(/^\{.*\}$/m);
  const address = JSON.parse(json!) as { devtoolsUrl: string };
  const { port } = await launchChromium();
  const page = await browser!.contexts()[0]!.newPage();
  await page.goto(address.devtoolsUrl.replace('devtools://devtools/bundled/', `http://127.0.0.1:${port}/devtools/`));
  const visible = (text: string | RegExp, exact = true) => page.getByText(text, { exact }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  const lineOf = (text: string) => readFileSync(script, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
  // The editor renders only the lines near its viewport: scroll the line into it, then its number.
  const gutter = async (line: number) => {
    await page
      .locator('.cm-scroller')
      .filter({ visible: true })
      .first()
      .evaluate((scroller, target) => {
        const height = scroller.querySelector('.cm-line')?.getBoundingClientRect().height ?? 15;
        scroller.scrollTop = Math.max(0, (target - 6) * height);
      }, line);
    return page.locator('.cm-lineNumbers .cm-gutterElement', { hasText: new RegExp(`^${line}$`) }).filter({ visible: true }).first();
  };

  await page.getByText(/node\[\d+\]/).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Sources' }).click();
  await page.getByRole('button', { name: 'Pause script execution' }).click();
  await visible('Debugger paused');
  await visible('views.mjs');

  // A click on the first line of collatzSteps' loop body: the breakpoint resolves to the loop's check.
  await (await gutter(lineOf('n = n % 2'))).click();
  await page.getByRole('button', { name: 'Resume script execution' }).click();
  await visible('Paused on breakpoint');
  await visible(`views.mjs:${lineOf('while (n !== 1)')}`);
  await visible('collatzSteps');
  mkdirSync(join(repoRoot, 'test', '.tmp'), { recursive: true });
  await page.screenshot({ path: join(repoRoot, 'test', '.tmp', 'devtools-breakpoint.png') });

  // Off again (its marker sits on the loop's line now), and one in the method `run`: its `this` is the Timed receiver.
  await (await gutter(lineOf('while (n !== 1)'))).click();
  await (await gutter(lineOf('this.count++;'))).click();
  await page.getByRole('button', { name: 'Resume script execution' }).click();
  await visible(`views.mjs:${lineOf('while (this.count < this.limit)')}`);
  await visible('run');
  // The Scope pane's Local section: `this: Timed` (it was `this: undefined`).
  await page.getByText(/^this:\s*Timed$/).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(repoRoot, 'test', '.tmp', 'devtools-this.png') });

  // The top-level loop, where `stop` is a local: the Console ends the program.
  await (await gutter(lineOf('while (this.count < this.limit)'))).click();
  await (await gutter(lineOf('collatzSteps(27);'))).click();
  await page.getByRole('button', { name: 'Resume script execution' }).click();
  await visible(`views.mjs:${lineOf('while (!stop)')}`);
  await page.getByRole('tab', { name: 'Console' }).click();
  await page.getByRole('textbox', { name: 'Console prompt' }).click();
  await page.keyboard.type('stop = true');
  await page.keyboard.press('Enter');
  await visible('stop = true');
  await page.getByRole('tab', { name: 'Sources' }).click();
  await (await gutter(lineOf('while (!stop)'))).click();
  await page.getByRole('button', { name: 'Resume script execution' }).click();
  await program.until(/^stopped after some rounds/m);
  expect(await program.exited, program.describe()).toBe(0);
});
