/**
 * The source map of an insert-only edit, at full resolution (one segment per original
 * character), written straight to its VLQ string.
 *
 * Written by hand because the general tools are too slow here: magic-string's `hires` map and
 * @jridgewell/gen-mapping build one array per segment, which for a 9 MB file is nine million
 * arrays and most of the transform's time in the garbage collector. When text is only
 * inserted, every run of original characters between two insertions maps one to one, so its
 * segments are the same four VLQ digits repeated: `CAAC` (next generated column, same source,
 * same line, next original column). This builds the string a run at a time.
 */

export interface Insertion {
  /** Offset in the original code; the text goes before the character at this offset. */
  at: number;
  length: number;
}

import type { Lines } from './lines.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(value: number): string {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}

/**
 * Mappings for code split into `lines`, with `insertions` (sorted by offset) applied, covering
 * the original characters before `end` (anything after it was removed). No insertion may
 * contain a line terminator.
 */
export function insertOnlyMappings(lines: Lines, insertions: readonly Insertion[], end: number): string {
  const out: string[] = [];
  let k = 0;
  let prevLine = 0;
  let prevColumn = 0;
  for (let line = 0; line < lines.starts.length && lines.starts[line]! <= end; line++) {
    const lineStart = lines.starts[line]!;
    const lineEnd = Math.min(lines.ends[line]!, end);
    let segments = '';
    let shift = 0;
    let prevGenerated = -1;
    for (let pos = lineStart; pos < lineEnd; ) {
      for (; k < insertions.length && insertions[k]!.at <= pos; k++) {
        if (insertions[k]!.at >= lineStart) shift += insertions[k]!.length;
      }
      const next = k < insertions.length ? Math.min(insertions[k]!.at, lineEnd) : lineEnd;
      const column = pos - lineStart;
      const generated = column + shift;
      segments +=
        (prevGenerated < 0 ? vlq(generated) : ',' + vlq(generated - prevGenerated)) +
        'A' + vlq(line - prevLine) + vlq(column - prevColumn);
      if (next - pos > 1) segments += ',CAAC'.repeat(next - pos - 1);
      prevGenerated = generated + (next - pos - 1);
      prevLine = line;
      prevColumn = column + (next - pos - 1);
      pos = next;
    }
    out.push(segments);
  }
  return out.join(';');
}
