/**
 * File discovery for `trapdoor instrument`: which files to instrument, copy or re-link, and where
 * each goes. Nothing is read or written here beyond directory listings and stats.
 */
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { CliError } from '../errors.js';
import type { Output } from './write.js';

/** What the transform parses: JavaScript and TypeScript, with or without JSX, any module flavour. */
export const INSTRUMENTABLE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;

/**
 * Not instrumented by default (they are still copied):
 * - dependencies: debugging targets the program's own code, and a tree's node_modules can be huge;
 *   instrument a dependency by giving its folder as the input;
 * - declaration files: no code runs from them.
 * Minified files are NOT excluded: a production bundle (app.min.js) is what a debug build of a
 * deployed program instruments. Exclude vendored ones with --exclude.
 */
export const DEFAULT_EXCLUDES = ['**/node_modules/**', '**/*.d.{ts,mts,cts}'];

/** A file to instrument, or something to write as it is (a copy, a symbolic link, a directory). */
export type Entry = { kind: 'instrument'; source: string; dest: string } | Exclude<Output, { kind: 'text' }>;

export interface Plan {
  /** The input was a directory (else a single file). */
  directory: boolean;
  entries: Entry[];
}

export interface DiscoverOptions {
  include: string[];
  exclude: string[];
}

export function discover(input: string, out: string, options: DiscoverOptions): Plan {
  const source = resolve(input);
  let stats;
  try {
    stats = statSync(source);
  } catch {
    throw new CliError('ERR_TRAPDOOR_NOT_FOUND', `no such file or directory: ${input}`);
  }
  if (stats.isDirectory()) return { directory: true, entries: discoverTree(source, input, resolve(out), options) };
  if (options.include.length > 0 || options.exclude.length > 0) {
    throw new CliError('ERR_TRAPDOOR_USAGE', '--include and --exclude apply to a directory input, not to a single file');
  }
  // `-o dir/` or an existing directory: keep the file's name inside it.
  const dest = out.endsWith('/') || out.endsWith(sep) || isDirectory(out) ? resolve(out, basename(source)) : resolve(out);
  if (realish(dest) === realish(source)) throw new CliError('ERR_TRAPDOOR_USAGE', `the output ${out} would overwrite the input ${input}`);
  return { directory: false, entries: [{ kind: 'instrument', source, dest }] };
}

function discoverTree(root: string, input: string, out: string, options: DiscoverOptions): Entry[] {
  const realRoot = realish(root);
  const realOut = realish(out);
  // Writing into the input would mix outputs with inputs, and a second run would instrument its own output.
  if (realOut === realRoot) throw new CliError('ERR_TRAPDOOR_USAGE', `-o ${relativeOrAbsolute(out)} is the input directory; write somewhere outside it`);
  if (realOut.startsWith(realRoot + sep)) {
    throw new CliError('ERR_TRAPDOOR_USAGE', `-o ${relativeOrAbsolute(out)} is inside the input directory ${input}; write somewhere outside it`);
  }
  const included = options.include.length > 0 ? picomatch(options.include, { dot: true }) : () => true;
  const excluded = picomatch([...DEFAULT_EXCLUDES, ...options.exclude], { dot: true });

  // An input inside the output (`-o ..`) must not get files written into it.
  const inputInOut = realRoot.startsWith(realOut + sep) ? relative(realOut, realRoot).split(sep).join('/') : undefined;

  const entries: Entry[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`; // picomatch wants '/' on every platform
      const source = join(dir, name);
      const dest = join(out, ...path.split('/'));
      if (inputInOut !== undefined && (path === inputInOut || path.startsWith(`${inputInOut}/`))) {
        throw new CliError('ERR_TRAPDOOR_USAGE', `-o ${relativeOrAbsolute(out)} would write ${path} into the input directory ${input}`);
      }
      const stats = lstatSync(source);
      if (stats.isSymbolicLink()) {
        // Re-created as links with the same target (not followed: no cycles, no copies of whole linked packages).
        entries.push({ kind: 'link', dest, target: readlinkSync(source) });
      } else if (stats.isDirectory()) {
        entries.push({ kind: 'dir', dest });
        walk(source, path);
      } else if (stats.isFile()) {
        const instrument = INSTRUMENTABLE.test(name) && included(path) && !excluded(path);
        entries.push({ kind: instrument ? 'instrument' : 'copy', source, dest });
      }
      // Sockets, FIFOs and devices are not part of a program's files: skipped.
    }
  };
  walk(root, '');
  return entries;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest: the output may not exist yet. */
function realish(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realish(parent), basename(absolute));
  }
}

/** How to show a path: relative to the working directory when it is inside it. */
export function relativeOrAbsolute(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
