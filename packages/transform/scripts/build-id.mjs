// After the build: <dist>/build-id.json, a content hash of the compiled code that shapes what the
// cache of instrumented modules stores (trapdoor-js's cache/instrumented.ts keys every entry by
// it). At run time the key then costs one read, not a stat of every compiled file (dear on Deno,
// and on the critical path of the first module loaded). A hash of the contents, not of times: a
// rebuild with the same code keeps the cache, one with other code never reads an older result.
//
//   node build-id.mjs <dist> [file…]    files relative to <dist>; by default every .js/.cjs/.mjs under it
//
// Also used by trapdoor-js's build for its own loader files (packages/trapdoor/package.json).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE = /\.[cm]?js$/;

/** Every compiled file under `dir`, relative to it, sorted (so the hash is the same on every machine). */
function codeFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && CODE.test(entry.name))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Writes `<dist>/build-id.json` ({"id": hex}) for `files` (relative to dist; default: all its code) and returns the id. */
export function writeBuildId(dist, files = codeFiles(dist)) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(dist, file))).update('\0');
  const id = hash.digest('hex');
  writeFileSync(join(dist, 'build-id.json'), `${JSON.stringify({ id, files: files.length })}\n`);
  return id;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dist, ...files] = process.argv.slice(2);
  if (dist === undefined) {
    console.error('usage: build-id.mjs <dist> [file…]');
    process.exit(2);
  }
  writeBuildId(dist, files.length > 0 ? files : undefined);
}
