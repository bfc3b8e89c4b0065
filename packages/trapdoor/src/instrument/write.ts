/**
 * Writing the output tree. Every file goes to a temporary name in its final directory and is
 * renamed into place, so a reader (or a crash) never sees a half-written file, and an
 * existing output file is replaced whole.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from '../errors.js';

export type Output =
  | { kind: 'text'; dest: string; text: string; mode?: number }
  | { kind: 'copy'; dest: string; source: string }
  | { kind: 'link'; dest: string; target: string }
  | { kind: 'dir'; dest: string };

export function writeAll(outputs: Output[], display: (path: string) => string): void {
  for (const output of outputs) {
    try {
      write(output);
    } catch (error) {
      throw new CliError('ERR_TRAPDOOR_IO', `cannot write ${display(output.dest)}: ${(error as Error).message}`);
    }
  }
}

function write(output: Output): void {
  if (output.kind === 'dir') {
    makeDirectory(output.dest);
    return;
  }
  makeDirectory(dirname(output.dest));
  const temporary = `${output.dest}.${process.pid}.trapdoor-tmp`;
  try {
    switch (output.kind) {
      case 'text':
        writeFileSync(temporary, output.text);
        // Keep the input's permissions: an instrumented executable script stays executable.
        if (output.mode !== undefined) chmodSync(temporary, output.mode);
        break;
      case 'copy':
        copyFileSync(output.source, temporary); // copies the permissions too
        break;
      case 'link':
        symlinkSync(output.target, temporary);
        break;
    }
    renameSync(temporary, output.dest);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * `mkdir -p`, by hand: Node 20's `mkdirSync(dir, { recursive: true })` never returns when a mkdir
 * under a parent that exists fails with ENOENT (it makes the parent again and retries, forever),
 * which is what procfs answers (`-o /proc/x/out`). Here each missing folder is made once, from the
 * nearest one that exists down, and the first error is the answer.
 */
function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made meanwhile: fine
    }
  }
}
