/**
 * Node's module customization hooks (registered by register.ts; they run on Node's hooks thread):
 * instrument ES modules of the program as Node loads them. CommonJS is left to commonjs.ts (see
 * register.ts for why).
 *
 * The transform (Babel's parser) takes a few hundred milliseconds to load, so it is loaded on the
 * first module that needs it: a CommonJS-only program never loads it here.
 */
import { Buffer } from 'node:buffer';
import { makePolicy, pathOfUrl, type LoaderSettings, type Policy } from '../settings.js';
import { inlineMapFor } from './source-maps.js';

export interface HooksData {
  settings: LoaderSettings;
  /** Append inline maps (the program runs with source maps enabled). */
  sourceMaps: boolean;
}

type InstrumentModule = typeof import('../instrument-module.js').instrumentModule;

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;

let settings: LoaderSettings | undefined;
let sourceMaps = false;
let policy: Policy = () => false;
let transform: Promise<InstrumentModule> | undefined;

export function initialize(data: HooksData | undefined): void {
  if (!data) return;
  settings = data.settings;
  sourceMaps = data.sourceMaps;
  policy = makePolicy(settings);
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (settings === undefined || result.format !== 'module' || result.source == null) return result;
  const path = pathOfUrl(url);
  if (path === undefined || !policy(path)) return result;

  const instrumentModule = await (transform ??= import('../instrument-module.js').then((m) => m.instrumentModule));
  const out = instrumentModule(text(result.source), {
    path,
    moduleType: 'esm',
    runtimeEsm: settings.runtimeEsm,
    runtimeCjs: settings.runtimeCjs,
    inlineMap: inlineMapFor('esm', sourceMaps),
    readExternalMaps: true,
  });
  return out.code !== undefined ? { ...result, source: out.code } : result;
}

function text(source: string | ArrayBuffer | ArrayBufferView): string {
  if (typeof source === 'string') return source;
  if (source instanceof ArrayBuffer) return Buffer.from(source).toString('utf8');
  return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8');
}
