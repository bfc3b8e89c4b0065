/**
 * The source map of an insert-only edit, written straight to its VLQ string, at one of two
 * resolutions:
 * - full: one segment per original character;
 * - token (given the code and its comments): a segment wherever a token can start or end (where
 *   the kind of character changes, at each punctuator, at each line's start and end, at each
 *   insertion), and none inside comments. Every position a bundler, a debugger or the Babel
 *   adapter looks up (a node's start or end, a stack frame's call position) is one of these, so
 *   it maps exactly as at full resolution, for several times fewer segments. That matters in
 *   bundlers, which decode, chain and re-encode the map of every module on every build (the
 *   full map of rxjs's sources is 4 MB of mappings for 0.8 MB of code).
 *
 * Written by hand because the general tools are too slow here: magic-string's `hires` map and
 * @jridgewell/gen-mapping build one array per segment, which for a 9 MB file is nine million
 * arrays and most of the transform's time in the garbage collector. When text is only
 * inserted, every run of original characters between two insertions maps one to one, so its
 * segments are the same four VLQ digits repeated: `CAAC` (next generated column, same source,
 * same line, next original column). The full map is built a run at a time; the token map is
 * written as bytes.
 */

export interface Insertion {
  /** Offset in the original code; the text goes before the character at this offset. */
  at: number;
  length: number;
}

/** The code the map is of, for a token-resolution map. */
export interface MapText {
  code: string;
  /** The code's comments, by offset, in order. */
  comments: readonly { start: number; end: number }[];
  /**
   * Segments only where a token can start: none where white space starts (a line's indentation
   * too, but on the first line), none inside a comment past its start, none at a line's end (but
   * where text is inserted there).
   * For a bundler that looks up nodes' starts alone (esbuild: it maps each node by its first
   * character, and takes the original position of the segment at or before it as it is), for which
   * those segments are never found: the same output map, from about a third fewer segments to
   * decode (rxjs: 126 010 → 85 316, 663 → 438 KB).
   */
  startsOnly?: boolean;
}

import { Buffer } from 'node:buffer';
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
 * contain a line terminator. Full resolution without `text`, token resolution with it.
 */
export function insertOnlyMappings(lines: Lines, insertions: readonly Insertion[], end: number, text?: MapText): string {
  return text === undefined ? fullMappings(lines, insertions, end) : tokenMappings(lines, insertions, end, text);
}

function fullMappings(lines: Lines, insertions: readonly Insertion[], end: number): string {
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

/** What kind each ASCII character is: 0 white space, 1 part of a word (identifier, number, keyword), 2 anything else. */
const KIND = new Uint8Array(128).fill(2);
for (const c of [9, 11, 12, 32]) KIND[c] = 0;
for (let c = 0; c < 128; c++) if (/[\w$\\]/.test(String.fromCharCode(c))) KIND[c] = 1;
const kind = (c: number): number => (c < 128 ? KIND[c]! : c === 0xa0 || c === 0xfeff ? 0 : 1);

/** Base64 digits as bytes, for the token map's writer. */
const DIGIT = Uint8Array.from(BASE64, (ch) => ch.charCodeAt(0));
const COMMA = 44;
const SEMICOLON = 59;
const A = 65;

/**
 * The token map is written as bytes into one buffer, reused across calls, and decoded once:
 * building it by string concatenation made a rope of several small strings per segment, which
 * was a good part of the transform's garbage.
 */
let buf = new Uint8Array(1 << 16);
let n = 0;

function room(more: number): void {
  if (n + more <= buf.length) return;
  const bigger = new Uint8Array(Math.max(buf.length * 2, n + more));
  bigger.set(buf.subarray(0, n));
  buf = bigger;
}

/** Writes one VLQ; the caller has made room (7 bytes hold any 32-bit value). */
function writeVlq(value: number): void {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    buf[n++] = DIGIT[digit]!;
  } while (v > 0);
}

// The segment state of tokenMappings (module-level so that `segment` is no closure per line).
let segLine = 0;
let segLineStart = 0;
let prevGenerated = -1;
let prevLine = 0;
let prevColumn = 0;

/** Writes the segment for original offset `pos` at generated column `pos - segLineStart + shift`. */
function segment(pos: number, shift: number): void {
  room(32);
  const column = pos - segLineStart;
  const generated = column + shift;
  if (prevGenerated < 0) {
    writeVlq(generated);
    buf[n++] = A;
    writeVlq(segLine - prevLine);
  } else {
    buf[n++] = COMMA;
    writeVlq(generated - prevGenerated);
    buf[n++] = A;
    buf[n++] = A;
  }
  writeVlq(column - prevColumn);
  prevGenerated = generated;
  prevLine = segLine;
  prevColumn = column;
}

/**
 * A segment wherever a token can start (see the top of the file). Within a run of original
 * characters with no insertion and no comment, only the kind of each character is looked at;
 * insertions and comments are handled where they are.
 */
function tokenMappings(lines: Lines, insertions: readonly Insertion[], end: number, { code, comments, startsOnly = false }: MapText): string {
  // White space's kind, 0, or one no character has.
  const space = startsOnly ? 0 : -2;
  // Where a line starts inside a comment, or with white space, no token starts: there only for
  // the full token map (offset 0 keeps its segment: a bundler may look up a module's own start).
  const lineStarts = !startsOnly;
  n = 0;
  prevLine = 0;
  prevColumn = 0;
  let k = 0;
  let c = 0; // the first comment that does not end before the current position
  const starts = lines.starts;
  for (let line = 0; line < starts.length && starts[line]! <= end; line++) {
    if (line > 0) {
      room(1);
      buf[n++] = SEMICOLON;
    }
    const lineStart = starts[line]!;
    const lineEnd = Math.min(lines.ends[line]!, end);
    segLine = line;
    segLineStart = lineStart;
    prevGenerated = -1;
    let shift = 0;
    let prevKind = -1;
    for (let pos = lineStart; pos < lineEnd; ) {
      let insertedHere = 0;
      let inserted = false;
      for (; k < insertions.length && insertions[k]!.at <= pos; k++) {
        if (insertions[k]!.at >= lineStart) {
          shift += insertions[k]!.length;
          insertedHere += insertions[k]!.length;
          inserted = true;
        }
      }
      for (; c < comments.length && comments[c]!.end <= pos; c++);
      const comment = comments[c];
      if (comment !== undefined && comment.start <= pos) {
        // A comment: a segment where it starts (or at the line's start inside it), then none until it ends.
        if (lineStarts || pos === comment.start || pos === 0) segment(pos, shift);
        prevKind = -1;
        pos = Math.min(comment.end, lineEnd);
        continue;
      }
      // Where the inserted text starts: it maps to where it was inserted, and what ends there ends there.
      if (inserted && pos > lineStart) segment(pos, shift - insertedHere);
      let ch = code.charCodeAt(pos);
      let now = kind(ch);
      // `${` in a template ends the text before it though `$` is a word's character.
      if ((pos === lineStart && (lineStarts || now !== space || pos === 0)) || inserted || (now !== prevKind && now !== space) || now === 2 || (ch === 36 && code.charCodeAt(pos + 1) === 123)) segment(pos, shift);
      prevKind = now;
      pos++;
      // The run up to the next insertion, comment or the line's end: no insertion is consumed
      // and no comment starts inside it, so only the kinds decide.
      let limit = lineEnd;
      if (k < insertions.length && insertions[k]!.at < limit) limit = insertions[k]!.at;
      if (c < comments.length && comments[c]!.start < limit) limit = comments[c]!.start;
      for (; pos < limit; pos++) {
        ch = code.charCodeAt(pos);
        now = ch < 128 ? KIND[ch]! : kind(ch);
        if ((now !== prevKind && now !== space) || now === 2 || (ch === 36 && code.charCodeAt(pos + 1) === 123)) segment(pos, shift);
        prevKind = now;
      }
    }
    // The line's end, where a node that ends the line ends, and where text inserted there starts.
    if (lineEnd > lineStart && (!startsOnly || insertions[k]?.at === lineEnd)) segment(lineEnd, shift);
  }
  const mappings = Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1');
  // Give back a buffer grown for one very large file.
  if (buf.length > 1 << 22) buf = new Uint8Array(1 << 16);
  return mappings;
}
