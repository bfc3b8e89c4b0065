// An esbuild plugin for the bundles made after `tsc` (bundle-node.mjs, bundle-cli.mjs): each
// bundled module's `import.meta.url` keeps naming the file it was, so the relative paths and
// `createRequire` in it resolve as before, wherever the bundle is written.
import { readFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';

/** `import.meta.url` of each bundled module: the URL of the file it was, relative to `base` (an expression for the bundle's own URL). */
export function ownUrls(outfile, base) {
  return {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.c?js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = relative(dirname(outfile), args.path).split(sep).join('/');
        const url = `new URL(${JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`)}, ${base}).href`;
        return { contents: text.split('import.meta.url').join(url), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** CommonJS has no import.meta: the bundle's own URL, from __filename (esbuild's output is strict, as the ES modules it is made of). */
export const CJS_URL = '__trapdoorBundleUrl';
export const CJS_URL_BANNER = `var ${CJS_URL} = require('node:url').pathToFileURL(__filename).href;`;
