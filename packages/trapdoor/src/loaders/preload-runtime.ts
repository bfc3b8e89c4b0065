/**
 * Loads trapdoor's runtime on the program's main thread as the loader starts (each loader's
 * register file imports this module), so that a program started with `trapdoor run` (or
 * `--require`/`--import`/`--preload trapdoor-js/register`) can always be attached to: its state
 * file and signal watcher exist even when no instrumented module ever loads the runtime (an entry
 * of plain statements, `setTimeout(console.log, 1e9, 'x')`, code under node_modules only). The
 * runtime changes nothing for the program until it is activated (activation-triggers.ts).
 *
 * Which build: the one the entry point's instrumented code will import (ES module or CommonJS),
 * so the common case loads one copy, not two (both share their state through globalThis, but
 * each costs its load time); `require` of the ES build gives the instance `import` gets later, on
 * Node 20.19+ and Bun. Deno has its own version (deno/preload-runtime.ts: its require() of an ES
 * module fails once a module hook is registered).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { ModuleTypes } from '../instrument/module-type.js';
import { locate } from './locations.js';

function entryIsEsm(entry: string | undefined): boolean {
  if (entry === undefined || entry === '') return false;
  return new ModuleTypes().of(entry) === 'esm';
}

// Only the main thread: Node's module hooks thread and the program's worker threads run the
// preloads too, and a process is attached to through its main thread.
if (isMainThread) {
  try {
    // Node's resolution, from trapdoor's own package.
    const { runtimeEsm, runtimeCjs } = locate({ canRead: true });
    createRequire(import.meta.url)(entryIsEsm(process.argv[1]) ? fileURLToPath(runtimeEsm) : runtimeCjs);
  } catch (error) {
    // The program runs all the same; only attaching to it is affected, so say why once.
    process.stderr.write(`trapdoor: cannot load the runtime (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); attaching to this process will not work\n`);
  }
}
