/**
 * Loads trapdoor's runtime on the program's main thread as the loader starts (each loader's
 * register file imports this module), so that a program started with `trapdoor run` (or
 * `--require`/`--import`/`--preload trapdoor-js/register`) can always be attached to: its state
 * file and signal watcher exist even when no instrumented module ever loads the runtime (an entry
 * of plain statements, `setTimeout(console.log, 1e9, 'x')`, code under node_modules only). The
 * runtime changes nothing for the program until it is activated (activation-triggers.ts).
 *
 * Which build: on Node and Bun the one the entry point's instrumented code will import (ES module
 * or CommonJS), so the common case loads one copy, not two (both share their state through
 * globalThis, but each costs its load time); `require` of the ES build gives the instance
 * `import` gets later. On Deno the CommonJS build, which its loader already prepares.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { ModuleTypes } from '../instrument/module-type.js';
import { locate } from './locations.js';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

function entryIsEsm(entry: string | undefined): boolean {
  // Deno's require() of the ES build fails to resolve its relative imports (2.9.5): CommonJS there.
  if (entry === undefined || entry === '' || isDeno) return false;
  return new ModuleTypes().of(entry) === 'esm';
}

// Only the main thread: Node's module hooks thread and the program's worker threads run the
// preloads too, and a process is attached to through its main thread.
if (isMainThread) {
  try {
    // Node's resolution, from trapdoor's own package (on Deno too: the program's configuration
    // need not know the runtime).
    const { runtimeEsm, runtimeCjs } = locate({ canRead: true });
    createRequire(import.meta.url)(entryIsEsm(process.argv[1]) ? fileURLToPath(runtimeEsm) : runtimeCjs);
  } catch (error) {
    // The program runs all the same; only attaching to it is affected, so say why once.
    process.stderr.write(`trapdoor: cannot load the runtime (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); attaching to this process will not work\n`);
  }
}
