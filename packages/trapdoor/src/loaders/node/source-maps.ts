/**
 * When an instrumented module carries a map on Node (see register.ts for the whole decision):
 * only when the program runs with source maps enabled, and then so that every frame prints as it
 * would without trapdoor. Node prints a mapped frame as a path, an unmapped ES module frame as a
 * file: URL; so an ES module gets a map only if it came with one of its own (the plain run maps it
 * too), and a CommonJS module (printed as a path either way) always does, which also puts its
 * columns back.
 */
export function inlineMapFor(moduleType: 'esm' | 'cjs', sourceMapsEnabled: boolean): 'always' | 'never' | 'if-own-map' {
  if (!sourceMapsEnabled) return 'never';
  return moduleType === 'cjs' ? 'always' : 'if-own-map';
}
