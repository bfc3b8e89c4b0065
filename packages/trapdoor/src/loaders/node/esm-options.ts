/**
 * The options Node's ES module hooks (hooks.ts, on the hooks thread) instrument a module with, in
 * one place: the main thread builds the same ones to offer that module's instrumented code on
 * demand (esm-source.ts), which must be the code that ran.
 */
import type { RawSourceMap } from '@trapdoor-js/transform';
import type { InstrumentModuleOptions } from '../instrument-module.js';
import type { LoaderSettings } from '../settings.js';
import { inlineMapFor } from './source-maps.js';

/** A JavaScript ES module (or a .tsx one another hook compiled: `compiled`). */
export function javaScriptOptions(settings: LoaderSettings, path: string, sourceMaps: boolean, compiled: boolean): InstrumentModuleOptions {
  return { path, moduleType: 'esm', runtimeEsm: settings.runtimeEsm, runtimeCjs: settings.runtimeCjs, inlineMap: inlineMapFor('esm', sourceMaps), readExternalMaps: true, compiled };
}

/** A TypeScript ES module: stripped of its types here (`map` the strip's), or compiled by a hook before this one. */
export function typeScriptOptions(settings: LoaderSettings, path: string, sourceMaps: boolean, stripped: boolean, map: RawSourceMap | undefined): InstrumentModuleOptions {
  return {
    path,
    moduleType: 'esm',
    runtimeEsm: settings.runtimeEsm,
    runtimeCjs: settings.runtimeCjs,
    inlineMap: stripped ? (sourceMaps ? 'always' : 'never') : inlineMapFor('esm', sourceMaps),
    readExternalMaps: true,
    compiled: true,
    inputSourceMap: map,
  };
}
