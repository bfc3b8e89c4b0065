/**
 * Source maps in and out: the input map (given, or inline in the code), the chaining of our
 * map onto it, and the original position of each site.
 */
import { Buffer } from 'node:buffer';
import remapping from '@jridgewell/remapping';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { TransformError } from './errors.js';

/** A v3 source map, as JSON. */
export interface RawSourceMap {
  version: number;
  file?: string | null;
  sourceRoot?: string;
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

export interface MapComment {
  /** Offsets of the whole `//# sourceMappingURL=…` comment. */
  start: number;
  end: number;
  url: string;
}

const COMMENT = /(?:\/\/[#@][ \t]+sourceMappingURL=([^\s'"]+)[ \t]*|\/\*[#@][ \t]+sourceMappingURL=([^\s*'"]+)[ \t]*\*\/[ \t]*)$/;

/** The last `sourceMappingURL` comment, if it ends the code (trailing blank lines allowed). */
export function findMapComment(code: string): MapComment | undefined {
  // Only the last line with anything but white space can hold it: look there, not through the
  // whole file (a lastIndexOf that finds nothing reads all of it, backwards and slowly).
  const last = code.trimEnd().length - 1;
  if (last < 0) return undefined;
  const lineStart = code.lastIndexOf('\n', last) + 1;
  const inLine = code.slice(lineStart, last + 1).lastIndexOf('sourceMappingURL=');
  if (inLine < 0) return undefined;
  const at = lineStart + inLine;
  let lineEnd = code.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = code.length;
  if (code.slice(lineEnd).trim() !== '') return undefined;
  const line = code.slice(lineStart, lineEnd).replace(/\r$/, '');
  const match = COMMENT.exec(line);
  if (!match) return undefined;
  const start = lineStart + match.index;
  return { start, end: lineStart + line.length, url: (match[1] ?? match[2])! };
}

/** Decodes a `data:application/json…` URL; undefined for any other URL (the caller reads files). */
export function decodeDataUrl(url: string, filename: string): RawSourceMap | undefined {
  const match = /^data:application\/json[^,]*?(;base64)?,(.*)$/s.exec(url);
  if (!match) return undefined;
  const text = match[1] ? Buffer.from(match[2]!, 'base64').toString('utf8') : decodeURIComponent(match[2]!);
  return parseMap(text, filename);
}

export function parseMap(map: string | RawSourceMap, filename: string): RawSourceMap {
  let parsed: RawSourceMap;
  try {
    parsed = typeof map === 'string' ? JSON.parse(map) : map;
  } catch (error) {
    throw new TransformError('ERR_TRAPDOOR_SOURCE_MAP', `${filename}: the input source map is not JSON: ${(error as Error).message}`, { file: filename });
  }
  if (!parsed || parsed.version !== 3 || typeof parsed.mappings !== 'string' || !Array.isArray(parsed.sources)) {
    throw new TransformError('ERR_TRAPDOOR_SOURCE_MAP', `${filename}: the input source map is not a version 3 source map`, { file: filename });
  }
  return parsed;
}

/**
 * The input map as the module table carries it, for the runtime to map engine stack frames:
 * sources resolved (so the table does not depend on where the map was), without
 * `sourcesContent` and `names`, which the runtime does not need and which can be large.
 */
export function tableMap(map: RawSourceMap, positions: InputPositions): RawSourceMap {
  return { version: 3, sources: positions.sources, names: [], mappings: map.mappings };
}

/** Our map (instrumented → input) chained onto the input's (input → original). */
export function chain(ours: RawSourceMap, input: RawSourceMap): RawSourceMap {
  const out = remapping([ours as never, input as never], () => null, { excludeContent: false });
  return JSON.parse(out.toString()) as RawSourceMap;
}

export interface OriginalPosition {
  source: string;
  line: number;
  column: number;
}

/** Looks up input positions in the input map; positions it does not map stay where they were. */
export class InputPositions {
  private readonly trace: TraceMap;
  readonly sources: string[];

  /** `mapUrl`: where the map's relative sources are resolved from (the file it came with). */
  constructor(map: RawSourceMap, mapUrl: string) {
    this.trace = new TraceMap(map as never, mapUrl);
    this.sources = this.trace.resolvedSources.map((s, i) => s ?? map.sources[i] ?? '');
  }

  lookup(line: number, column: number): OriginalPosition | undefined {
    const p = originalPositionFor(this.trace, { line, column });
    if (p.source === null || p.line === null || p.column === null) return undefined;
    return { source: p.source, line: p.line, column: p.column };
  }
}
