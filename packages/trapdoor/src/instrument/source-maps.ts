/**
 * Source maps around the transform: finding a file's own map (the transform reads inline ones,
 * the CLI reads external files), and making the new map right for where it is written.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RawSourceMap } from '@trapdoor/transform';

export interface MapComment {
  /** Offsets of the comment in the code. */
  start: number;
  end: number;
  url: string;
}

const COMMENT = /(?:\/\/[#@][ \t]+sourceMappingURL=([^\s'"]+)[ \t]*|\/\*[#@][ \t]+sourceMappingURL=([^\s*'"]+)[ \t]*\*\/[ \t]*)\r?$/;

/** The `sourceMappingURL` comment that ends the code, if any: the same rule the transform applies. */
export function findMapComment(code: string): MapComment | undefined {
  const at = code.lastIndexOf('sourceMappingURL=');
  if (at < 0) return undefined;
  const lineStart = code.lastIndexOf('\n', at) + 1;
  const newline = code.indexOf('\n', at);
  const lineEnd = newline < 0 ? code.length : newline;
  if (code.slice(lineEnd).trim() !== '') return undefined;
  const match = COMMENT.exec(code.slice(lineStart, lineEnd));
  if (!match) return undefined;
  return { start: lineStart + match.index, end: lineEnd, url: (match[1] ?? match[2])! };
}

export function isDataUrl(url: string): boolean {
  return url.startsWith('data:');
}

/** Reads the map an external `sourceMappingURL` names, relative to the file. Throws with a reason. */
export function readExternalMap(file: string, url: string): { map: RawSourceMap; path: string } {
  const location = new URL(url, pathToFileURL(file));
  if (location.protocol !== 'file:') throw new Error(`${url} is not a local file`);
  const path = fileURLToPath(location);
  const map = JSON.parse(readFileSync(path, 'utf8')) as RawSourceMap;
  return { map, path };
}

/**
 * The transform's map, for a file written at `dest`: relative `sources` were relative to the input
 * map (or, for the file itself, absolute); rewrite them relative to the new map so any tool
 * finds the originals from the output. URLs (`webpack://…`) stay as they are.
 */
export function relocate(map: RawSourceMap, inputMapDir: string, dest: string): RawSourceMap {
  const outDir = dirname(dest);
  const sources = map.sources.map((source) => {
    if (source === null || /^[a-z][a-z\d+.-]+:/i.test(source)) return source;
    return relative(outDir, resolve(inputMapDir, source)).split(sep).join('/');
  });
  const { sourceRoot: _dropped, ...rest } = map;
  return { ...rest, file: basename(dest), sources };
}

/** The code with a comment pointing at its map, inline or in `<dest>.map`. */
export function withMapComment(code: string, map: RawSourceMap, dest: string, inline: boolean): string {
  const url = inline
    ? `data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`
    : encodeURIComponent(`${basename(dest)}.map`);
  return `${code}${code.endsWith('\n') ? '' : '\n'}//# sourceMappingURL=${url}\n`;
}
