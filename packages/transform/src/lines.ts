/**
 * Lines as ECMAScript counts them: LF, CR, CRLF, U+2028 and U+2029 each end a line. Babel's
 * positions and the engines' stack traces count this way, so the source map must too.
 */

export interface Lines {
  /** Offset of each line's first character. */
  starts: number[];
  /** Offset of each line's terminator (or the code's length for the last line). */
  ends: number[];
}

const TERMINATOR = /\r\n?|[\n\u2028\u2029]/g;

export function splitLines(code: string): Lines {
  const starts = [0];
  const ends: number[] = [];
  TERMINATOR.lastIndex = 0;
  for (let m = TERMINATOR.exec(code); m !== null; m = TERMINATOR.exec(code)) {
    ends.push(m.index);
    starts.push(m.index + m[0].length);
  }
  ends.push(code.length);
  return { starts, ends };
}

/** Offset of the next line terminator at or after `from`, or -1. */
export function nextTerminator(code: string, from: number): number {
  TERMINATOR.lastIndex = from;
  const m = TERMINATOR.exec(code);
  return m === null ? -1 : m.index;
}
