// After `tsc`: removes compiled files whose source is gone (renamed or deleted) or is a test,
// which tsc never does. Otherwise they linger in dist/, get published, and their maps name
// sources that are not there. Run from a package: node ../../scripts/prune-dist.mjs <outDir>… [--src src]
import { readdirSync, rmdirSync, statSync, unlinkSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

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
    unlinkSync(file);
    removed++;
  }
}

for (const out of args) if (existsSync(out)) prune(out, out);
if (removed > 0) console.log(`prune-dist: removed ${removed} stale file${removed === 1 ? '' : 's'} from ${args.join(', ')}`);
