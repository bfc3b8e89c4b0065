// import-equals.ts: Bun runs a module's last statements again for each `import X = NS.member` it
// drops; trapdoor's table must not be among them. Real Bun runs of the program plain and under
// `trapdoor run --runtime bun`: the same output (Bun's repeat included) and exit status, and the
// module instrumented.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableBeforeRepeatedTail } from './import-equals.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
const BUN = join(ROOT, 'node_modules/.bin/bun');
const TABLE = ';function __td_M(): any {return /*trapdoor:1*/{v:1,sites:[]}}';

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-import-equals-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(args[0]!, args.slice(1), { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the table where Bun does not repeat it', () => {
  it('goes at the end of the statement before the last ones (one per alias), on its line', () => {
    const source = 'namespace M { export const u = 1; }\nimport U = M.u;\nimport A = M.P;\nlog(U); // one\nlog(2);\n';
    const code = `${source}\n${TABLE}\n`;
    const moved = tableBeforeRepeatedTail(source, code, false);
    // Two aliases: two statements Bun keeps follow the table.
    expect(moved).toBe(`namespace M { export const u = 1; }\nimport U = M.u;\nimport A = M.P;${TABLE}\nlog(U); // one\nlog(2);\n\n`);
    expect(moved.split('\n').length).toBe(code.split('\n').length - 1);
  });

  it('is left where it is without an alias, or when too few statements follow one', () => {
    const plain = 'let a = 1;\nfor (;;) break;\n';
    expect(tableBeforeRepeatedTail(plain, `${plain}\n${TABLE}\n`, false)).toBe(`${plain}\n${TABLE}\n`);
    const short = 'log(1);\nimport A = M.P;\n';
    expect(tableBeforeRepeatedTail(short, `${short}\n${TABLE}\n`, false)).toBe(`${short}\n${TABLE}\n`);
  });

  it.each([
    ['the corpus file', readFileSync(join(ROOT, 'test/corpus/ts-types-only.ts'), 'utf8'), '6 1 function 2\n6 1 function 2\n'],
    [
      'two dropped aliases and a loop',
      'namespace M { export const u = 1; export interface P { x: number } }\nimport U = M.u;\nimport A = M.P;\nimport B = M.P;\nconst points: A[] = [];\nfor (let i = 0; i < 3; i++) points.push({ x: i * U });\nfunction sum(ps: B[]): number { let s = 0; for (const p of ps) s += p.x; return s; }\nconsole.log("sum", sum(points));\nconsole.log("last");\n',
      'sum 3\nlast\nsum 3\nlast\n',
    ],
  ])('%s: trapdoor run --runtime bun prints what bun prints (its repeat included)', (_name, text, printed) => {
    const file = join(dir, `program-${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(file, text);
    const dump = `${file}.dump.json`;
    const plain = run([BUN, file]);
    const traced = run([process.execPath, BIN, 'run', '--runtime', 'bun', file], { TRAPDOOR_DEBUG_DUMP_MODULES: dump });
    expect(plain.status, plain.stderr).toBe(0);
    expect({ status: traced.status, stdout: traced.stdout, stderr: traced.stderr }).toEqual(plain);
    // Bun's own repeat, in both runs: the last statements once more for each alias dropped.
    expect(plain.stdout).toBe(printed);
    expect(existsSync(dump)).toBe(true);
    const modules = JSON.parse(readFileSync(dump, 'utf8')) as Array<{ file: string; sites: number }>;
    expect(modules.find((m) => m.file === file)?.sites).toBeGreaterThan(0);
  });
});
