/**
 * Writing the output tree. Every file goes to a temporary name in its final directory and is
 * renamed into place, so a reader (or a crash) never sees a half-written file, and an
 * existing output file is replaced whole.
 */
import { chmodSync, copyFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeDirectory } from '../make-directory.js';
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

