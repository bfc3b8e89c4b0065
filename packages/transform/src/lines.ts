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
  // Without a regular expression: its match objects, one per line, were a good part of the
  // transform's garbage. Most code ends its lines with LF alone, which indexOf finds fastest.
  if (!code.includes('\r') && !code.includes('\u2028') && !code.includes('\u2029')) {
    for (let at = code.indexOf('\n'); at >= 0; at = code.indexOf('\n', at + 1)) {
      ends.push(at);
      starts.push(at + 1);
    }
  } else {
    for (let i = 0; i < code.length; i++) {
      const c = code.charCodeAt(i);
      if (c === 10 || c === 0x2028 || c === 0x2029) {
        ends.push(i);
        starts.push(i + 1);
      } else if (c === 13) {
        ends.push(i);
        if (code.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
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
