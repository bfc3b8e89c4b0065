/**
 * Where a syntax error is in the file as written, when plugins before this one changed it (a
 * TypeScript plugin placed first): the parser's position is in their output, so it is traced back
 * through their map, and the code frame (the transform's `codeFrame`) is drawn from the original
 * text. Without this, Rollup after @rollup/plugin-typescript reported `src/main.ts (3:17)` with a
 * frame of the compiled JavaScript (four spaces of indent where the file has two) while TypeScript
 * says 3:16 (1-based: column 15 as Rollup counts, from 0) of the `.ts` line.
 */
import { readFileSync } from 'node:fs';
import { decodedMappings, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';
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

/**
 * The original position of generated `line` (1-based) and `column` (0-based): the mapping at or
 * before the column on that line, moved on by the columns between (trace-mapping's
 * `originalPositionFor` gives the mapping's own column). Undefined when nothing on the line maps back.
 */
export function originalPosition(map: RawSourceMap, line: number, column: number): OriginalPosition | undefined {
  const segments = line < 1 ? undefined : decodedMappings(new TraceMap(map as SourceMapInput))[line - 1];
  if (segments === undefined) return undefined;
  // Of several mappings at one column, the first (as trace-mapping picks): TypeScript maps the `)`
  // after an empty operand twice, to itself first.
  let found: readonly number[] | undefined;
  for (const segment of segments) {
    if (segment.length >= 4 && segment[0]! <= column && (found === undefined || segment[0]! > found[0]!)) found = segment;
  }
  if (found === undefined) return undefined;
  const [generatedColumn, sourceIndex, foundLine, mappedColumn] = found as [number, number, number, number];
  const foundColumn = mappedColumn + (column - generatedColumn);
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
