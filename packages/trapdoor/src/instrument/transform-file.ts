/**
 * One file through the transform: read it, find its input map, instrument, and produce the text
 * to write and its map. Pure apart from reading; the caller decides when to write.
 */
import { readFileSync } from 'node:fs';
import { instrument, type RawSourceMap, type Target } from '@trapdoor-js/transform';
import { findMapComment, isDataUrl, readExternalMap, relocate, withMapComment } from './source-maps.js';
import type { ModuleType } from './module-type.js';

export interface TransformFileOptions {
  runtime?: string;
  moduleType?: ModuleType;
  inlineMap: boolean;
  /** The runtime the output is for (the transform's check form). */
  target?: Target;
  /** How to name a file in messages. */
  display: (path: string) => string;
  warn: (message: string) => void;
}

export type FileResult =
  | { changed: true; code: string; map?: { dest: string; text: string }; sites: number }
  /** The transform left the file as it was: it is copied byte for byte, with its own map comment. */
  | { changed: false; reason: string };

export function transformFile(source: string, dest: string, options: TransformFileOptions): FileResult {
  const code = readFileSync(source, 'utf8');
  const name = options.display(source);
  const comment = findMapComment(code);

  // The transform decodes inline maps itself; an external one is ours to read.
  let inputSourceMap: RawSourceMap | undefined;
  if (comment && !isDataUrl(comment.url)) {
    try {
      inputSourceMap = readExternalMap(source, comment.url);
    } catch (error) {
      options.warn(`${name}: ignoring its source map ${abbreviate(comment.url)}: ${(error as Error).message}`);
    }
  }

  // The filename is absolute: it is what the site table reports as the module's file, and the
  // map's own entry for it is made relative to the output below.
  const settings = { filename: source, runtime: options.runtime, moduleType: options.moduleType, target: options.target };
  let result;
  try {
    result = instrument(code, { ...settings, inputSourceMap });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_TRAPDOOR_SOURCE_MAP' || !comment) throw error;
    options.warn(`${name}: ignoring its source map ${abbreviate(comment.url)}: ${(error as Error).message.replace(`${source}: `, '')}`);
    // Without its comment (the file's last line, so no position moves) the transform maps to the file itself.
    result = instrument(code.slice(0, comment.start) + code.slice(comment.end), settings);
  }

  if (result.sites.length === 0) return { changed: false, reason: UNCHANGED[result.skipped ?? 'none'] };

  const map = relocate(result.map, source, dest);
  return {
    changed: true,
    code: withMapComment(result.code, map, dest, options.inlineMap),
    map: options.inlineMap ? undefined : { dest: `${dest}.map`, text: JSON.stringify(map) },
    sites: result.sites.length,
  };
}

const UNCHANGED = {
  'ignore-file': 'it has /* trapdoor-ignore-file */',
  instrumented: 'it is already instrumented',
  none: 'it has no loops or functions',
};

function abbreviate(url: string): string {
  return url.length > 60 ? `${url.slice(0, 40)}…` : url;
}
