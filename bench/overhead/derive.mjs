// Diagnostic variants for Bun (issue 10): folders of BENCH_WORK made from trapdoor-bun's copies by
// rewriting each check by its site's kind (the module table's rows: 0 loop, 1 function entry,
// 2 statement), to locate what the checks cost when timed against trapdoor in the same rounds
// (`BENCH_COMPARE=<name>,… npm run bench:overhead`) or counted (`node bench/overhead/jsc-trace.mjs <name>`).
// Their code cannot be trapped everywhere (or at all): diagnostics, never a product.
//
// node bench/overhead/derive.mjs <name>…   (run bench:overhead with BENCH_RUNTIMES=bun first)
//   x-noentry      entry checks taken out (statement and expression form)
//   x-noentry-expr the entry checks of expression-bodied arrows taken out
//   x-noentry-stmt the other entry checks (statement form) taken out
//   x-noloop       loop checks taken out
//   x-entry-load   entry checks without the store: `if(F[0]!==0)…` (unsound on JavaScriptCore)
//   x-entry-bare   entry checks with the smallest slow path: `if((F[1]=7,F[0])!==0)T(M,7);`
//   x-entry-bound  entry checks call a per-module bound trap: `t(7,a,b)` instead of `T(M,7,a,b)`
//   x-bound        every check calls the per-module bound trap
//   x-entry-throw  entry checks with no slow path at all: `if((F[1]=7,F[0])!==0)throw 0;`
//   x-entry-store  entry checks reduced to their store: `F[1]=7;`
//   x-same         an identical copy (the noise control: trapdoor over it should be 1.00×)
//   x-entry-call-small  the same for functions that end within DERIVE_SMALL_LINES (2) lines of their start
//   x-entry-call-narrow(-small)  the same where the check passes at most 3 arguments (the checker's cost stays under 80)
//   x-entry-call   entry checks as a call of a per-module checker: `E2(7,a,b);` (no write-back)
//   x-entry-nowb   entry checks in statement form without the write-back: `{const w=T(M,7,a,b);if(w)throw w;}`
//   x-unkept       with DERIVE_KEEP=<file.json> ({"<copy path>": ["line:column", …]}, the function
//                  entries another transform keeps): the other entry checks taken out (to time an
//                  elision rule without porting it: list what its build keeps, take out the rest)
// Session 15 (helper A, paired on Bun, TypeScript): trapdoor over x-noentry 1.49×, 1.34×, 1.20×,
// 1.01× in four runs; over x-entry-throw 1.09× and x-entry-bare 1.20× (so half of what the entry
// checks cost goes with the trap call in their slow path, half with the fast path itself; these
// single runs move by ±5–10% per workload: trapdoor over an identical copy of itself gave
// 0.96–1.09×, 1.04× geomean). JavaScriptCore's DFG inlining limit raised by about a check's cost
// (BUN_JSC_maximumFunctionFor{Call,ClosureCall,Construct}InlineCandidateBytecodeCostForDFG=210;
// BUN_JSC_* options reach bench:overhead's Bun driver) makes trapdoor over plain 0.94–1.04× in the
// same rounds, the FTL's limit raised instead (300) leaves it at 1.10–1.20×; but the raised DFG
// limit makes plain itself 14–24% slower (whole processes, 6 TypeScript runs) and trapdoor no
// faster, so it is no fix: what is left is the inlining the checks' bytecode cost denies.
// Session 16, paired on Bun (load 0.7–1.6), trapdoor over each: x-same 1.01× and 0.99× geomean
// (the control); x-entry-call 0.97× and 0.93× (TypeScript 0.74×, 0.73×; RayTrace 0.58×, 0.67×;
// acorn, terser, Richards 1.01–1.25×) although TypeScript's DFG inlines 9 334 calls with it
// (trapdoor 2 158, plain 8 322); x-entry-call-small 0.89×; x-entry-call-narrow 0.96× and
// -narrow-small 0.99× (RayTrace 0.61×, 0.57×; control 1.01×). The call form is no way out.
// Environment: BENCH_WORK (bench/.tmp/overhead), DERIVE_KEEP, DERIVE_SMALL_LINES.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..', '..');
const WORK = resolve(ROOT, process.env.BENCH_WORK ?? 'bench/.tmp/overhead');

// A statement check as emit.ts writes it (the universal form): 1 the flags' name, 2 the site, 3 the const's name, 4 the trap's and
// 5 the module's names, 6 the arguments after the site, 7 the rest of the slow path.
const STATEMENT = /if\(\((__td\d*_F)\[1\]=(\d+),\1\[0\]\)!==0\)\{const (__td\d*_w|w)=(__td\d*_T)\((__td\d*_M),\d+((?:,[\w$]+)*)\);if\(\3\)((?:if\(\3\.length\)[^;]*;else )?throw \3;)\}/g;
// An expression check (after the `(` it opens): `(F[1]=7,F[0])!==0&&T(M,7,a)` or `…&&(W=T(M,7,a))&&({0:a}=W)`, then `,`.
const EXPRESSION = /\((__td\d*_F)\[1\]=(\d+),\1\[0\]\)!==0&&(\(__td\d*_W=)?(__td\d*_T)\((__td\d*_M),\d+((?:,[\w$]+)*)\)(\)&&\(\{[^}]*\}=__td\d*_W\))?,/g;

/** Each variant: (kind, parts) → replacement text, or undefined to keep the check. */
const VARIANTS = {
  'x-noentry': { statement: (k) => (k === 1 ? '' : undefined), expression: (k) => (k === 1 ? '' : undefined) },
  'x-noentry-expr': { statement: () => undefined, expression: (k) => (k === 1 ? '' : undefined) },
  'x-noentry-stmt': { statement: (k) => (k === 1 ? '' : undefined), expression: () => undefined },
  'x-unkept': { statement: (k) => (k === 3 ? '' : undefined), expression: (k) => (k === 3 ? '' : undefined) },
  'x-noloop': { statement: (k) => (k === 0 ? '' : undefined), expression: (k) => (k === 0 ? '' : undefined) },
  'x-entry-load': {
    statement: (k, p) => (k === 1 ? `if(${p.F}[0]!==0){const ${p.w}=${p.T}(${p.M},${p.site}${p.args});if(${p.w})${p.rest}}` : undefined),
    expression: (k, p) => (k === 1 ? `${p.F}[0]!==0&&${p.open ?? ''}${p.T}(${p.M},${p.site}${p.args})${p.back ?? ''},` : undefined),
  },
  'x-entry-bare': {
    statement: (k, p) => (k === 1 ? `if((${p.F}[1]=${p.site},${p.F}[0])!==0)${p.T}(${p.M},${p.site});` : undefined),
    expression: (k, p) => (k === 1 ? `(${p.F}[1]=${p.site},${p.F}[0])!==0&&${p.T}(${p.M},${p.site}),` : undefined),
  },
  'x-entry-throw': {
    statement: (k, p) => (k === 1 ? `if((${p.F}[1]=${p.site},${p.F}[0])!==0)throw 0;` : undefined),
    expression: (k, p) => (k === 1 ? `(${p.F}[1]=${p.site},${p.F}[0])!==0&&0,` : undefined),
  },
  'x-entry-store': {
    statement: (k, p) => (k === 1 ? `${p.F}[1]=${p.site};` : undefined),
    expression: (k, p) => (k === 1 ? `${p.F}[1]=${p.site},` : undefined),
  },
  'x-entry-nowb': {
    statement: (k, p) => (k === 1 ? `if((${p.F}[1]=${p.site},${p.F}[0])!==0){const ${p.w}=${p.T}(${p.M},${p.site}${p.args});if(${p.w})throw ${p.w};}` : undefined),
    expression: () => undefined,
  },
  'x-same': { statement: () => undefined, expression: () => undefined },
  'x-entry-call-small': { call: true, statement: (k, p) => (k === 1 && p.row.small ? `${entryCall(p)};` : undefined), expression: (k, p) => (k === 1 && p.row.small ? `${entryCall(p)},` : undefined) },
  'x-entry-call-narrow': { call: true, statement: (k, p) => (k === 1 && arity(p) <= 3 ? `${entryCall(p)};` : undefined), expression: (k, p) => (k === 1 && arity(p) <= 3 ? `${entryCall(p)},` : undefined) },
  'x-entry-call-narrow-small': { call: true, statement: (k, p) => (k === 1 && arity(p) <= 3 && p.row.small ? `${entryCall(p)};` : undefined), expression: (k, p) => (k === 1 && arity(p) <= 3 && p.row.small ? `${entryCall(p)},` : undefined) },
  'x-entry-call': { call: true, statement: (k, p) => (k === 1 ? `${entryCall(p)};` : undefined), expression: (k, p) => (k === 1 ? `${entryCall(p)},` : undefined) },
  'x-entry-bound': { bound: true, statement: (k, p) => (k === 1 ? bound(p, 'statement') : undefined), expression: (k, p) => (k === 1 ? bound(p, 'expression') : undefined) },
  'x-bound': { bound: true, statement: (k, p) => bound(p, 'statement'), expression: (k, p) => bound(p, 'expression') },
};

/**
 * The entry check as a call of a per-module checker by the number of its arguments, `E2(7,a,b)`,
 * so the function's own bytecode holds a call instead of the check (JavaScriptCore's DFG inlines
 * by bytecode cost: a checker with a local copy of the flags and a truth test costs 73 with three
 * arguments, under the DFG's 80, and its caller +30 instead of +126). No write-back.
 */
function entryCall(p) {
  const n = arity(p);
  p.arities.add(n);
  return `${p.F.replace(/_F$/, '_E')}${n}(${p.site}${p.args})`;
}
/** How many arguments a check passes after its site. */
function arity(p) {
  return p.args === '' ? 0 : p.args.split(',').length - 1;
}
/** The checkers entryCall's calls name, and the slow path they share. */
function checkers(prefix, arities) {
  const params = (n) => Array.from({ length: n }, (_, i) => `a${i}`).join(',');
  let out = `function ${prefix}_X(s,...l){const w=${prefix}_T(${prefix}_M,s,...l);if(w&&!w.length)throw w}`;
  for (const n of arities) out += `function ${prefix}_E${n}(s${n ? ',' : ''}${params(n)}){const f=${prefix}_F;if((f[1]=s,f[0]))${prefix}_X(s${n ? ',' : ''}${params(n)})}`;
  return out;
}

/** The check with `t(7,a,b)` (the module's bound trap) for `T(M,7,a,b)`. */
function bound(p, form) {
  const t = p.T.replace(/_T$/, '_t');
  if (form === 'statement') return `if((${p.F}[1]=${p.site},${p.F}[0])!==0){const ${p.w}=${t}(${p.site}${p.args});if(${p.w})${p.rest}}`;
  return `(${p.F}[1]=${p.site},${p.F}[0])!==0&&${p.open ?? ''}${t}(${p.site}${p.args})${p.back ?? ''},`;
}

/** Per site of the module kinds() read last: `small`, its function ends within DERIVE_SMALL_LINES (2) lines of its start. */
let ROWS = [];
/** The site table's kinds, read from the module's footer (format 2: JSON in a string); with DERIVE_KEEP, kind 1 becomes 3 for an entry not listed there. */
function kinds(code, file) {
  const v2 = /\/\*trapdoor:2\*\/('(?:[^'\\\n]|\\.)*')\}/.exec(code.slice(code.lastIndexOf('/*trapdoor:2*/')));
  if (v2 === null) throw new Error('no module table of format 2');
  const rows = JSON.parse(Function(`return ${v2[1]}`)()).sites;
  const keep = KEEP?.[file];
  ROWS = rows.map((row) => ({ small: row[7] - row[1] <= Number(process.env.DERIVE_SMALL_LINES ?? 2) }));
  return rows.map((row) => (keep !== undefined && row[0] === 1 && !keep.has(`${row[1]}:${row[2]}`) ? 3 : row[0]));
}
/** DERIVE_KEEP=<file.json>: {"<copy path>": ["line:column", …]}, the entry sites another build keeps (`x-unkept` takes out the rest). */
const KEEP = process.env.DERIVE_KEEP ? Object.fromEntries(Object.entries(JSON.parse(readFileSync(process.env.DERIVE_KEEP, 'utf8'))).map(([f, l]) => [f, new Set(l)])) : undefined;

function derive(name) {
  const v = VARIANTS[name];
  const from = join(WORK, 'trapdoor-bun');
  const counts = { statement: 0, expression: 0, kept: 0 };
  for (const file of readdirSync(from, { recursive: true })) {
    const src = join(from, file);
    if (!statSync(src).isFile() || file.endsWith('.stamp')) continue;
    let code = readFileSync(src, 'utf8');
    if (code.includes('/*trapdoor:2*/')) {
      const kind = kinds(code, file);
      const arities = new Set();
      code = code.replace(STATEMENT, (check, F, site, w, T, M, args, rest) => {
        const out = v.statement(kind[Number(site)], { F, site, w, T, M, args, rest, arities, row: ROWS[Number(site)] });
        return out === undefined ? (counts.kept++, check) : (counts.statement++, out);
      });
      code = code.replace(EXPRESSION, (check, F, site, open, T, M, args, back) => {
        const out = v.expression(kind[Number(site)], { F, site, open, T, M, args, back, arities, row: ROWS[Number(site)] });
        return out === undefined ? (counts.kept++, check) : (counts.expression++, out);
      });
      if (v.call && arities.size > 0) {
        // Function declarations: hoisted, so any place in the module's scope will do (after its last line).
        const prefix = /(__td\d*)_R\(__td\d*_M, /.exec(code)?.[1];
        if (prefix === undefined) throw new Error(`${file}: no header to name the checkers by`);
        code += `\n${checkers(prefix, [...arities].sort((a, b) => a - b))}\n`;
      }
      if (v.bound) {
        // The bound trap, declared right after the module registers (the header), before any check runs.
        code = code.replace(/(__td\d*)_R\((__td\d*_M), [^;]*\);/, (reg, p, M) => `${reg}var ${p}_t=${p}_T.bind(void 0,${M});`);
        if (!code.includes('_t=')) throw new Error(`${file}: no header to bind the trap in`);
      }
    }
    mkdirSync(dirname(join(WORK, name, file)), { recursive: true });
    writeFileSync(join(WORK, name, file), code);
  }
  process.stderr.write(`derive: ${name}: ${counts.statement} statement and ${counts.expression} expression checks rewritten, ${counts.kept} kept\n`);
}

const names = process.argv.slice(2);
if (names.length === 0 || names.some((n) => VARIANTS[n] === undefined)) {
  process.stderr.write(`usage: node bench/overhead/derive.mjs <${Object.keys(VARIANTS).join('|')}>…\n`);
  process.exit(2);
}
if (names.includes('x-unkept') && KEEP === undefined) {
  process.stderr.write('derive: x-unkept needs DERIVE_KEEP=<file.json>, the entries to keep\n');
  process.exit(2);
}
for (const n of names) derive(n);
