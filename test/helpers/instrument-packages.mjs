// Copies published packages from the repository's node_modules to <outDir>/<name>/ and
// instruments every .js/.mjs/.cjs file in the copy, telling the transform each file's module
// type the way Node decides it (extension, else the nearest package.json "type").
// Prints one JSON object: per package, files/bytes/sites/ms and any errors.
// Usage: node instrument-packages.mjs <outDir> <name>...
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument } from '@trapdoor-js/transform';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [outDirArg, ...names] = process.argv.slice(2);
if (!outDirArg || names.length === 0) throw new Error('usage: instrument-packages.mjs <outDir> <name>...');
const outDir = path.resolve(outDirArg);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* walk(full);
    } else if (entry.isFile()) yield full;
  }
}

/** Node's rule: .mjs ESM, .cjs CommonJS, .js by the nearest package.json "type" (default commonjs). */
function moduleTypeOf(file, packageRoot) {
  if (file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.cjs')) return 'cjs';
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      const type = JSON.parse(readFileSync(pj, 'utf8')).type;
      return type === 'module' ? 'esm' : 'cjs';
    }
    if (dir === packageRoot || dir === path.dirname(dir)) return 'cjs';
  }
}

const report = {};
for (const name of names) {
  const src = path.join(ROOT, 'node_modules', name);
  const dst = path.join(outDir, name);
  rmSync(dst, { recursive: true, force: true });
  cpSync(src, dst, { recursive: true, dereference: true, filter: (p) => path.basename(p) !== 'node_modules' || p === src });
  const r = { files: 0, bytesIn: 0, bytesOut: 0, sites: 0, ms: 0, largest: null, errors: [] };
  for (const file of walk(dst)) {
    if (!/\.(js|mjs|cjs)$/.test(file)) continue;
    const code = readFileSync(file, 'utf8');
    const moduleType = moduleTypeOf(file, dst);
    const start = performance.now();
    try {
      const out = instrument(code, { filename: file, moduleType });
      const ms = performance.now() - start;
      writeFileSync(file, out.code);
      r.files++;
      r.bytesIn += Buffer.byteLength(code);
      r.bytesOut += Buffer.byteLength(out.code);
      r.sites += out.sites.length;
      r.ms += ms;
      if (!r.largest || Buffer.byteLength(code) > r.largest.bytesIn) {
        r.largest = { file: path.relative(dst, file), bytesIn: Buffer.byteLength(code), bytesOut: Buffer.byteLength(out.code), sites: out.sites.length, ms: Math.round(ms) };
      }
    } catch (error) {
      r.errors.push(`${path.relative(dst, file)} (${moduleType}): ${error && error.code ? error.code + ' ' : ''}${String(error && error.message).split('\n')[0]}`);
    }
  }
  r.ms = Math.round(r.ms);
  r.totalBytes = [...walk(dst)].reduce((s, f) => s + statSync(f).size, 0);
  report[name] = r;
}
process.stdout.write(JSON.stringify(report) + '\n');
