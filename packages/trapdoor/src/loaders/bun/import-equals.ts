/**
 * A Bun bug (1.4.5) that trapdoor's table would turn into a SyntaxError. When a TypeScript module
 * has a top-level `import X = NS.member` that Bun keeps (X is used as a value) and others it drops
 * (used as types only, or not at all), Bun's runtime transpiler runs the module's last statements
 * twice, one for each dropped alias (`import U = M.u; import A = M.P; …; log(1); log(2)` prints 1,
 * 2, 2), in the plain run too. The last statement of an instrumented module is trapdoor's table,
 * `function __td_M() {…}` (transform/src/emit.ts): declared twice in a module, a SyntaxError.
 *
 * So in such a module the table goes in front of the program's last statements, as many as there
 * are aliases (that is enough: only dropped ones count), at the end of the statement before them
 * and on its line, so that no line moves. A function declaration is hoisted, so the table is there
 * for the first check as before; and Bun repeats the program's own statements, as in the plain
 * run. Measured on test/corpus/ts-types-only.ts: plain and instrumented both print their last line
 * twice. Bun.Transpiler (CommonJS written in TypeScript, bun/register.ts) does not have the bug.
 */
import { createRequire } from 'node:module';

type Parse = typeof import('@babel/parser').parse;
interface Statement {
  type: string;
  start?: number | null;
  end?: number | null;
  moduleReference?: { type: string };
}

/** `import X =` and `import type X =` at the start of a statement (an overcount is harmless). */
const IMPORT_EQUALS = /(?:^|[;}])\s*import\s+(?:type\s+)?[A-Za-z_$][\w$]*\s*=(?!=)/gm;
/** The table the transform appends (emit.ts `footer`): a line of its own after the program. */
const TABLE = /\n;function [A-Za-z_$][\w$]*\(\)(?:: any)? \{return \/\*trapdoor:\d+\*\//g;

let parse: Parse | undefined;

/** `code` (the instrumented `source`) with the table moved where Bun's repeat cannot reach it; `code` when not needed. */
export function tableBeforeRepeatedTail(source: string, code: string, jsx: boolean): string {
  const aliases = source.match(IMPORT_EQUALS)?.length ?? 0;
  if (aliases === 0) return code;
  let start = -1;
  for (const m of code.matchAll(TABLE)) start = m.index;
  if (start < 0) return code;
  const table = code.slice(start + 1).replace(/\n$/, '');
  // On one line, so that it can share a line of the program's.
  if (table.includes('\n')) return code;
  const program = code.slice(0, start);
  let body: Statement[];
  try {
    parse ??= (createRequire(import.meta.url)('@babel/parser') as { parse: Parse }).parse;
    body = parse(program, { sourceType: 'module', plugins: jsx ? ['typescript', 'jsx'] : ['typescript'], errorRecovery: true }).program.body as Statement[];
  } catch {
    return code;
  }
  // Count back over statements Bun keeps (an alias of `require()` is kept; an entity alias may not be).
  let kept = 0;
  let index = body.length;
  while (index > 0 && kept < aliases) {
    index--;
    const s = body[index]!;
    if (!(s.type === 'TSImportEqualsDeclaration' && s.moduleReference?.type !== 'TSExternalModuleReference')) kept++;
  }
  if (kept < aliases || index === 0) return code;
  const at = body[index - 1]!.end;
  if (typeof at !== 'number') return code;
  return `${program.slice(0, at)}${table}${program.slice(at)}\n`;
}
