/**
 * Where a syntax error is in the file as written, when plugins before this one changed it (a
 * TypeScript plugin placed first): the parser's position is in their output, so it is traced back
 * through their map, and the code frame is drawn from the original text. Without this, Rollup
 * after @rollup/plugin-typescript reported `src/main.ts (3:17)` with a frame of the compiled
 * JavaScript (four spaces of indent where the file has two) while TypeScript says 3:16 (1-based:
 * column 15 as Rollup counts, from 0) of the `.ts` line.
 *
 * A small reader of one line's mappings, not a source-map library: this runs once per failed build.
 */
import { readFileSync } from 'node:fs';
import type { RawSourceMap } from '@trapdoor-js/transform';

export interface OriginalPosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 0-based, as Rollup's and esbuild's locations and the transform's errors count. */
  column: number;
  /** The file's text, when the map carries it or the file can be read. */
  text: string | undefined;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The values of one mapping segment (base64 VLQ). */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) return [];
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/**
 * The original position of generated `line` (1-based) and `column` (0-based): the mapping at or
 * before the column on that line. Undefined when nothing on the line maps back.
 */
export function originalPosition(map: RawSourceMap, line: number, column: number): OriginalPosition | undefined {
  const lines = map.mappings.split(';');
  if (line < 1 || line > lines.length) return undefined;
  // Source, original line and column are deltas over the whole map: run through the lines before.
  let source = 0;
  let originalLine = 0;
  let originalColumn = 0;
  let found: [number, number, number] | undefined;
  let foundAt = -1;
  for (let index = 0; index < line; index++) {
    let generatedColumn = 0;
    for (const segment of lines[index]!.split(',')) {
      if (segment === '') continue;
      const values = decodeSegment(segment);
      generatedColumn += values[0] ?? 0;
      if (values.length < 4) continue;
      source += values[1]!;
      originalLine += values[2]!;
      originalColumn += values[3]!;
      // The last mapping at or before the column; of several at one column, the first (as
      // trace-mapping picks): TypeScript maps the `)` after an empty operand twice, to itself first.
      if (index === line - 1 && generatedColumn <= column && generatedColumn > foundAt) {
        found = [source, originalLine, originalColumn + (column - generatedColumn)];
        foundAt = generatedColumn;
      }
    }
  }
  if (found === undefined) return undefined;
  const [sourceIndex, foundLine, foundColumn] = found;
  const file = map.sources[sourceIndex];
  if (file === undefined || file === null) return undefined;
  let text = map.sourcesContent?.[sourceIndex] ?? undefined;
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
  }
  // Past the column the mapping covers, the original line may be shorter (a compiler's output is
  // not the same text): keep the column on the line.
  const originalText = text?.split('\n')[foundLine]?.replace(/\r$/, '');
  const onLine = originalText === undefined ? foundColumn : Math.min(foundColumn, originalText.length);
  return { file, line: foundLine + 1, column: onLine, text };
}

/** A code frame as @babel/code-frame draws one without colours: two lines either side, the caret under the column. */
export function codeFrame(text: string, line: number, column: number): string {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 3);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const code = lines[n - 1]!;
    const gutter = String(n).padStart(width);
    out.push(`${n === line ? '>' : ' '} ${gutter} |${code === '' ? '' : ` ${code}`}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${code.slice(0, column).replace(/[^\t]/g, ' ')}^`);
  }
  return out.join('\n');
}
