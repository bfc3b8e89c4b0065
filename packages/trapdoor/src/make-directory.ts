/**
 * `mkdir -p`, by hand: Node 20's `mkdirSync(dir, { recursive: true })` never returns when a mkdir
 * under a parent that exists fails with ENOENT (it makes the parent again and retries, forever),
 * which is what procfs answers (`-o /proc/x/out`, `TRAPDOOR_CACHE_DIR=/proc/x/c`). Here the folder
 * is made first, each missing parent once on ENOENT (nearest first), and the first other error is
 * the answer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Node's own recursive mkdir has the bug; Deno's and Bun's do not (and Deno's asks write permission for `dir` alone, where making each parent here would ask it for every parent). */
const OTHER_RUNTIME = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' || typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

export function makeDirectory(dir: string, mode?: number): void {
  if (OTHER_RUNTIME) {
    mkdirSync(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
    return;
  }
  try {
    mkdirSync(dir, mode === undefined ? undefined : { mode });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    makeDirectory(parent, mode);
    try {
      mkdirSync(dir, mode === undefined ? undefined : { mode });
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again; // made meanwhile: fine
    }
  }
}
