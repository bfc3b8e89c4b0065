/**
 * A placeholder: own-modules.ts serves `commonjs-facade.mjs?<path>` as an ES module that exports
 * the CommonJS module at <path>. The URL names this real file because Deno checks that a file:
 * URL exists before it asks the load hooks (inside node_modules, under a package.json project);
 * the query makes each facade its own module. Where Deno drops the query, this file is what
 * loads, and `kind` tells own-modules.ts so.
 */
export const kind = 'placeholder';
