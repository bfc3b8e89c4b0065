/**
 * Corpus programs (test/corpus) that the Node running the tests no longer runs, so that the tests
 * comparing a plain run with an instrumented one do not count them: import assertions
 * (`assert { type }`) were removed in Node 22.
 */
export const unrunnableOnThisNode: readonly string[] = Number(process.versions.node.split('.')[0]) >= 22 ? ['esm-import-assert.mjs'] : [];
