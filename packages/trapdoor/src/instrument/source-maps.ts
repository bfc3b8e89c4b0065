/**
 * Source maps around the transform: finding a file's own map (the transform reads inline ones,
 * the CLI reads external files), and making the new map right for where it is written.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RawSourceMap } from '@trapdoor-js/transform';

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

/**
 * Reads the map an external `sourceMappingURL` names, relative to the file. Throws with a reason.
 * Its relative sources are made absolute: they are relative to the map file, which neither the
 * transform nor the site table (read at run time) would otherwise know.
 */
export function readExternalMap(file: string, url: string): RawSourceMap {
  const location = new URL(url, pathToFileURL(file));
  if (location.protocol !== 'file:') throw new Error(`${url} is not a local file`);
  const path = fileURLToPath(location);
  const map = JSON.parse(readFileSync(path, 'utf8')) as RawSourceMap;
  if (!Array.isArray(map?.sources) || (map.sourceRoot && isUrl(map.sourceRoot))) return map; // the transform judges it
  const base = resolve(dirname(path), map.sourceRoot ?? '');
  const { sourceRoot: _resolved, ...rest } = map;
  return { ...rest, sources: map.sources.map((source) => (source === null || isUrl(source) ? source : resolve(base, source))) };
}

/** `webpack://…`, `file://…`, `https://…`; not `C:\…`. */
function isUrl(source: string): boolean {
  return /^[a-z][a-z\d+.-]+:/i.test(source);
}

/**
 * The transform's map, for a file written at `dest`. Its sources are absolute (the file itself,
 * an external input map's) or relative to the input file (an inline input map's); they become
 * relative to the new map, as build tools write them, so the output and inputs can move
 * together. URLs (`webpack://…`) stay as they are.
 */
export function relocate(map: RawSourceMap, source: string, dest: string): RawSourceMap {
  const outDir = dirname(dest);
  const sources = map.sources.map((s) => (s === null || isUrl(s) ? s : relative(outDir, resolve(dirname(source), s)).split(sep).join('/')));
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
