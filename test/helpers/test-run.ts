/**
 * What the test-runner end-to-end tests share (e2e-test-vitest, -jest, -node, -real-projects):
 * the user's environment without the variables of the Vitest running these tests, and a command
 * run to its end, or killed with its descendants at a limit, so that a regression (a hang) fails
 * one test instead of the whole suite. Nothing here measures time.
 */
import { spawn } from 'node:child_process';
import { descendants } from '../e2e/harness.js';

/**
 * The environment a user's shell would give the runner: without this Vitest's own variables
 * (VITEST*, npm_*, NODE_ENV, TEST), trapdoor's, Jest's and node:test's, and NODE_OPTIONS.
 * `plainOutput` adds NO_COLOR, FORCE_COLOR=0 and CI=1 (output compared as text); a real project's
 * suite gets the environment as it is (commander tests its own colour detection).
 */
export function userEnv(extra: NodeJS.ProcessEnv = {}, { plainOutput = true }: { plainOutput?: boolean } = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|TRAPDOOR_|npm_|JEST|NODE_TEST)/i.test(name) && name !== 'NODE_ENV' && name !== 'TEST' && name !== 'NODE_OPTIONS'),
  );
  return { ...env, ...(plainOutput ? { NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' } : {}), ...extra };
}

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr as they came, and a last line saying so when it was killed. */
  output: string;
  /** Each stream alone: where the two are compared with another run's, since their interleaving is the scheduler's. */
  stdout: string;
  stderr: string;
}

/** Runs `argv` in `cwd` to its end; at `limitMs` kills it and its descendants (SIGKILL). */
export function runToEnd(argv: readonly string[], { cwd, env, limitMs }: { cwd: string; env: NodeJS.ProcessEnv; limitMs: number }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((output += chunk), (stdout += chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((output += chunk), (stderr += chunk)));
    const timer = setTimeout(() => {
      output += `\n[killed after ${limitMs} ms]`;
      for (const pid of [...descendants(child.pid!), child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, limitMs);
    child.once('error', reject);
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, output, stdout, stderr });
    });
  });
}
