/**
 * `dirname`, `join` and `sep` as node:path has them, without loading node:path where paths are
 * POSIX: on Bun that module alone pages in 2.3 MiB of the executable and on Deno it is a part of
 * the Node layer (1 MiB), and every instrumented process, a production debug build that is never
 * armed too, computes the agent's folder at load (measured like bench/startup.mjs's memory rows).
 * Windows paths go to node:path itself.
 */
type NodePath = typeof import('node:path');

const g = globalThis as { Deno?: { build?: { os?: string } }; process?: { platform?: string } };
// Deno's own word first: its `process` is a part of its Node layer (3.4 MiB on first use).
const windows = g.Deno !== undefined ? g.Deno.build?.os === 'windows' : g.process?.platform === 'win32';
const nodePath = (): NodePath => process.getBuiltinModule('node:path');

/** The path separator. */
export const sep: string = windows ? '\\' : '/';

/** `path.normalize` of POSIX paths (node:path's rules). */
function normalize(path: string): string {
  if (path === '') return '.';
  const absolute = path.startsWith('/');
  const trailing = path.endsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  if (joined === '') return absolute ? '/' : trailing ? './' : '.';
  return `${absolute ? '/' : ''}${joined}${trailing ? '/' : ''}`;
}

/** `path.join`. */
export function join(...parts: string[]): string {
  if (windows) return nodePath().join(...parts);
  const joined = parts.filter((part) => part !== '').join('/');
  return joined === '' ? '.' : normalize(joined);
}

/** `dir`, then each folder above it, up to the root (`dirname` until it stops changing). */
export function* ancestors(dir: string): Generator<string> {
  for (;;) {
    yield dir;
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** `path.dirname` (node:path's rules: a run of slashes before the last name is cut at its last one). */
export function dirname(path: string): string {
  if (windows) return nodePath().dirname(path);
  if (path === '') return '.';
  const root = path.startsWith('/');
  let end = -1;
  let matchedSlash = true;
  for (let i = path.length - 1; i >= 1; --i) {
    if (path[i] === '/') {
      if (!matchedSlash) {
        end = i;
        break;
      }
    } else matchedSlash = false;
  }
  if (end === -1) return root ? '/' : '.';
  if (root && end === 1) return '//';
  return path.slice(0, end);
}
