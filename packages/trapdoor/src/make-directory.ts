/**
 * `mkdir -p`, by hand: Node 20's `mkdirSync(dir, { recursive: true })` never returns when a mkdir
 * under a parent that exists fails with ENOENT (it makes the parent again and retries, forever),
 * which is what procfs answers (`-o /proc/x/out`, `TRAPDOOR_CACHE_DIR=/proc/x/c`). Here each
 * missing folder is made once, from the nearest one that exists down, and the first error is the
 * answer.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function makeDirectory(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made meanwhile: fine
    }
  }
}
