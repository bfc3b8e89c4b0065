// After `tsc`: removes compiled files whose source is gone (renamed or deleted) or is a test,
// which tsc never does. Otherwise they linger in dist/, get published, and their maps name
// sources that are not there. Run from a package: node ../../scripts/prune-dist.mjs <outDir>… [--src src]
//
// Files that the package's own build scripts write after tsc (a bundle with no source of its
// own, such as trapdoor-js's dist/loaders/deno/transform.cjs) are kept: deleting them on every
// build, for a later script to write them back, left a window in which a tarball packed while
// another build ran lacked them. Which files those are is read from the build itself.
import { readdirSync, readFileSync, rmdirSync, statSync, unlinkSync, existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--src');
const src = at >= 0 ? args.splice(at, 2)[1] : 'src';
if (args.length === 0) {
  console.error('usage: prune-dist.mjs <outDir>… [--src <rootDir>]');
  process.exit(2);
}

// What tsc emits for each source extension: .js ← .ts/.tsx/.js, .cjs ← .cts, .mjs ← .mts.
const OUTPUT = /^(.*?)(\.d)?\.(js|cjs|mjs|ts|cts|mts)(\.map)?$/;
const SOURCES = { js: ['.ts', '.tsx', '.js', '.jsx'], ts: ['.ts', '.tsx'], cjs: ['.cts', '.cjs'], cts: ['.cts'], mjs: ['.mts', '.mjs'], mts: ['.mts'] };
const TEST = /\.(test|spec)$/;

function sourceOf(base, declaration, ext) {
  const kinds = declaration ? { ts: SOURCES.ts, cts: SOURCES.cts, mts: SOURCES.mts }[ext] : SOURCES[ext];
  return kinds?.map((e) => base + e).find((file) => existsSync(file));
}

/**
 * The paths, relative to an output folder, that the package's build names after this script: the
 * words of its `build` script and the string literals of each `node <script>` it runs then (each
 * bundle script names the files it writes: `'loaders/deno/transform.cjs'`, `${dist}cli-entry.cjs`).
 * A literal's part before a `}` (a folder in a template) is dropped.
 */
function buildOutputs(packageDir = '.') {
  let build;
  try {
    build = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).scripts?.build;
  } catch {
    return new Set();
  }
  if (typeof build !== 'string') return new Set();
  const steps = build.split(/&&|;|\|\|/).map((step) => step.trim().split(/\s+/));
  const after = steps.slice(steps.findIndex((words) => words.some((word) => word.endsWith('prune-dist.mjs'))) + 1);
  const named = [];
  for (const words of after) {
    named.push(...words);
    if (words[0] !== 'node' || words[1] === undefined) continue;
    let text;
    try {
      text = readFileSync(resolve(packageDir, words[1]), 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/'([^'\n]+)'|"([^"\n]+)"|`([^`\n]+)`/g)) named.push(m[1] ?? m[2] ?? m[3]);
  }
  const outputs = new Set();
  for (const name of named) {
    const path = name.slice(name.lastIndexOf('}') + 1).replace(/^\.\//, '');
    if (!/^[\w@.-][\w@./-]*\.(?:c|m)?js$/.test(path)) continue;
    outputs.add(path);
    outputs.add(`${path}.map`); // a bundle with `sourcemap: true`
  }
  return outputs;
}

const kept = buildOutputs();

let removed = 0;
function prune(dir, out) {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) {
      prune(file, out);
      if (readdirSync(file).length === 0) rmdirSync(file);
      continue;
    }
    const match = OUTPUT.exec(relative(out, file));
    if (match === null) continue; // package.json markers and the like
    const [, base, declaration, ext] = match;
    if (declaration === undefined && (ext === 'ts' || ext === 'cts' || ext === 'mts')) continue;
    if (!TEST.test(base) && sourceOf(join(src, base), declaration !== undefined, ext) !== undefined) continue;
    if (kept.has(relative(out, file).split(sep).join('/'))) continue;
    unlinkSync(file);
    removed++;
  }
}

for (const out of args) if (existsSync(out)) prune(out, out);
if (removed > 0) console.log(`prune-dist: removed ${removed} stale file${removed === 1 ? '' : 's'} from ${args.join(', ')}`);
