/**
 * The code Node's ES module hooks ran for a module, offered on the main thread on demand
 * (../instrumented-source.ts). The hooks run on Node's hooks thread and keep nothing; this does
 * what they did for the file (hooks.ts `load`: the file's text from Node's own loader, TypeScript
 * stripped, the same options from esm-options.ts), so the cache of instrumented modules has the
 * result under the same key, and with the cache off the deterministic transform makes it again.
 *
 * Only what the hooks instrument from the file's own text is offered: a module another hook
 * compiled before them (tsx's) was instrumented from that hook's output, which is not on disk.
 */
import { readFileSync } from 'node:fs';
import type { InstrumentCache, InstrumentFunction } from '../../cache/instrumented.js';
import { instrumentCached } from '../../cache/instrumented.js';
import type { RawSourceMap } from '@trapdoor-js/transform';
import type { InstrumentModuleOptions } from '../instrument-module.js';
import { pathOfUrl, type LoaderSettings, type Policy } from '../settings.js';
import * as ts from '../typescript.js';
import { javaScriptOptions, typeScriptOptions } from './esm-options.js';

const TYPESCRIPT = /\.[cm]?ts$/i;

export interface EsmSourceOptions {
  settings: LoaderSettings;
  policy: Policy;
  /** What the hooks were told (install.ts `sourceMaps`). */
  sourceMaps: boolean;
  cache: InstrumentCache | undefined;
  /** The transform, loaded if need be (on a cache miss only). */
  transform: () => InstrumentFunction;
}

/** The instrumented code of the ES module at `url` (a file: URL, as V8 names an ES module), or undefined. */
export function esmSource(url: string, { settings, policy, sourceMaps, cache, transform }: EsmSourceOptions): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = pathOfUrl(url);
  if (path === undefined || !policy(path)) return undefined;
  let code: string;
  try {
    code = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let options: InstrumentModuleOptions;
  if (TYPESCRIPT.test(path)) {
    let map: RawSourceMap | undefined;
    ({ code, map } = ts.stripTypes(code, path));
    options = typeScriptOptions(settings, path, sourceMaps, true, map);
  } else {
    // A .tsx file read from disk is not compiled: Node loads .tsx only through another hook, whose output this is not.
    if (/\.tsx$/i.test(path)) return undefined;
    options = javaScriptOptions(settings, path, sourceMaps, false);
  }
  return instrumentCached(cache, code, options, transform).code;
}
