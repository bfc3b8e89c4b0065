/**
 * When an instrumented module carries a map on Node (see register.ts for the whole decision):
 * only when the program runs with source maps enabled, and then so that every frame prints as it
 * would without trapdoor. Node prints a mapped frame as a path, an unmapped ES module frame as a
 * file: URL; so an ES module gets a map only if it came with one of its own (the plain run maps it
 * too), and a CommonJS module (printed as a path either way) always does, which also puts its
 * columns back (and lets the runtime's StuckError and Debugger frames find them through
 * `module.findSourceMap`). What that costs, measured on Node 20.20 against the plain
 * `node --enable-source-maps` run: Node prints a mapped file's frames in its own format, so an
 * anonymous function's frame reads `at <anonymous> (file:line:col)` where V8 prints
 * `at file:line:col`, and an uncaught error's excerpt is followed by one blank line more. Without
 * the map those would be the plain run's and only the columns on a check's line would move.
 */
export function inlineMapFor(moduleType: 'esm' | 'cjs', sourceMapsEnabled: boolean): 'always' | 'never' | 'if-own-map' {
  if (!sourceMapsEnabled) return 'never';
  return moduleType === 'cjs' ? 'always' : 'if-own-map';
}
