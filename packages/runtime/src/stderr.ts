/**
 * The lines trapdoor prints on the program's stderr, in Node's words (banners, failures). Here,
 * not in the inspector, because a process that is never activated prints some of them too.
 */
import { writeStderr } from './host-fs.js';

export const HELP_LINE = 'For help, see: https://www.npmjs.com/package/trapdoor-js#attaching-a-debugger';

/** Writes a line to stderr synchronously (the main thread may be about to spin or block). */
export function printLine(text: string): void {
  try {
    writeStderr(`${text}\n`);
  } catch {
    // stderr closed: nothing to tell
  }
}
