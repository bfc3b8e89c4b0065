// A file with a syntax error on line 4: the build must fail with this file, line and column.
export function ok(a: number): number {
  return a + 1;
}}
