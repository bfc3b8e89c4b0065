/**
 * Positions through a file's own source map, as `node --enable-source-maps` reads it: the last
 * `sourceMappingURL` comment of the file, inline (`data:`) or a file beside it. For frames in a
 * bundle, where many instrumented modules share one file and the bundler's map (which chained
 * trapdoor's) is what leads back to each module's source; else the map the engine keeps for it.
 */
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { denoAllows } from '../permissions.js';

const MAP_COMMENT = /(?:\/\/|\/\*)[#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/\s*)?$/;
const maps = new Map<string, TraceMap | null>();

function pathOf(file: string): string | undefined {
  try {
    return file.startsWith('file:') ? fileURLToPath(file) : isAbsolute(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function read(path: string): string | undefined {
  if (!denoAllows({ name: 'read', path })) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function mapOf(path: string): TraceMap | null {
  let map = maps.get(path);
  if (map !== undefined) return map;
  map = null;
  const code = read(path);
  const tail = code?.slice(-Math.min(code.length, 1 << 20)).trimEnd();
  const url = tail === undefined ? undefined : MAP_COMMENT.exec(tail.slice(tail.lastIndexOf('\n') + 1))?.[1];
  if (url !== undefined) {
    try {
      let text: string | undefined;
      let base = path;
      if (url.startsWith('data:')) {
        const comma = url.indexOf(',');
        const payload = url.slice(comma + 1);
        text = /;base64$/.test(url.slice(0, comma)) ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload);
      } else {
        const mapPath = url.startsWith('file:') ? fileURLToPath(url) : resolve(dirname(path), decodeURIComponent(url));
        text = read(mapPath);
        base = mapPath;
      }
      if (text !== undefined) map = new TraceMap(JSON.parse(text), pathToFileURL(base).href);
    } catch {
      map = null; // a broken or unreadable map: no position from it
    }
  }
  map ??= loadedMap(path);
  maps.set(path, map);
  return map;
}

/**
 * The map the engine keeps for a module it loaded (Node's `module.findSourceMap`, when source maps
 * are enabled: `trapdoor run` of a TypeScript program, `--enable-source-maps`): the map a loader
 * appended to code it changed in memory, which the file on disk does not have. Null elsewhere.
 */
function loadedMap(path: string): TraceMap | null {
  const find = (nodeModule as { findSourceMap?: (file: string) => { payload?: unknown } | undefined }).findSourceMap;
  if (typeof find !== 'function') return null;
  try {
    const url = pathToFileURL(path).href;
    const found = find(path) ?? find(url);
    return found?.payload === undefined ? null : new TraceMap(found.payload as never, url);
  } catch {
    return null;
  }
}

/** Where a position of `file` (1-based line, 0-based column) comes from, by the file's own map. */
export function throughFileMap(file: string, line: number, column: number): { source: string; line: number; column: number } | undefined {
  const path = pathOf(file);
  if (path === undefined || line < 1 || column < 0) return undefined; // trace-mapping throws for those
  const map = mapOf(path);
  if (map === null) return undefined;
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
    const p = originalPositionFor(map, { line, column, bias });
    if (p.source !== null && p.line !== null && p.column !== null) return { source: p.source, line: p.line, column: p.column };
  }
  return undefined;
}

/** The sources of `file`'s own map, as `throughFileMap` names them (resolved against the map's URL), or undefined without a map. */
export function fileMapSources(file: string): readonly string[] | undefined {
  const path = pathOf(file);
  const map = path === undefined ? null : mapOf(path);
  return map === null ? undefined : map.resolvedSources.filter((source): source is string => typeof source === 'string');
}
