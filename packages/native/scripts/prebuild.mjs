// `npm pack` / `npm publish` of this package (prepack): builds the prebuild shipped in the
// tarball, prebuilds/<platform>-<arch>/node.napi.<libc>.node, with prebuildify, for
// the platform this machine is. Node-API (napi tag), so the one binary serves every Node ≥ 20,
// Bun and Deno.
//
// The compile runs in a temporary copy of the sources: node-gyp rebuild starts by deleting
// build/, and the repository's build/Release is what its tests load meanwhile. The new file
// replaces the old one by a rename, so a reader never sees half a binary.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const prebuildify = require('prebuildify');

const pkg = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['binding.gyp', 'package.json', 'src/trapdoor_native.c'];

const work = mkdtempSync(join(tmpdir(), 'trapdoor-prebuild-'));
try {
  for (const file of SOURCES) {
    mkdirSync(dirname(join(work, file)), { recursive: true });
    copyFileSync(join(pkg, file), join(work, file));
  }
  await new Promise((resolve, reject) =>
    prebuildify(
      {
        cwd: work,
        napi: true,
        strip: true,
        tagLibc: true,
        // node.napi.<libc>.node: the name node-gyp-build and other tools read as "Node-API,
        // any runtime" (prebuildify would otherwise name it after the package, without napi).
        name: 'node.napi',
        // The running Node's version: node-gyp uses its headers (npm's nodedir, or its cache)
        // rather than fetching those of the newest release.
        targets: [{ runtime: 'node', target: process.versions.node }],
        quiet: true,
      },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
  const platform = `${process.platform}-${process.arch}`;
  const built = join(work, 'prebuilds', platform);
  const target = join(pkg, 'prebuilds', platform);
  mkdirSync(target, { recursive: true });
  const made = readdirSync(built);
  for (const file of made) {
    // What is shipped must load, here, before it replaces the previous one.
    if (typeof require(join(built, file)).start !== 'function') throw new Error(`${file} has no start()`);
    renameSync(join(built, file), join(target, file));
  }
  for (const file of readdirSync(target)) if (!made.includes(file)) rmSync(join(target, file));
  console.log(`@trapdoor-js/native: built ${made.map((f) => `prebuilds/${platform}/${f}`).join(', ')}`);
} catch (error) {
  console.error(
    `@trapdoor-js/native: the prebuild could not be built: ${error.message} ` +
      '(it needs a C compiler, make and python3; `npx node-gyp rebuild` in packages/native shows the compiler output)',
  );
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
