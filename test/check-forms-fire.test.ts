// The check the transform emits must FIRE in the tightest loop there is, after JIT warm-up,
// on every runtime (DESIGN.md, section 1). The programs come from bench/check-forms/programs.mjs,
// the same generator `npm run bench:checks` measures, so the test and the bench cannot drift.
//
// Each case runs a child process that warms up a bounded loop with the check, then spins in
// `while (true) { CHECK }` while a worker thread sets the request flag (Atomics.store) 300 ms
// later. Firing means: the slow path ran, printed "fired" and exited 0. A child still spinning
// after CHILD_TIMEOUT_MS is killed (SIGKILL) and counts as a hang. No timing is asserted.
import { afterAll, describe, expect, it } from 'vitest';
import { instrument } from '@trapdoor-js/transform';
import { CURRENT_FORM, FORMS, RUNTIMES, V8_FORM, V8_RUNTIMES, checkFires, killAll, makeWorkDir, type FireResult } from '../bench/check-forms/programs.mjs';

const CHILD_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 40_000;

const work = makeWorkDir('trapdoor-check-forms-test-');
afterAll(() => {
  killAll();
  work.dispose();
});

const explain = (r: FireResult) =>
  `exit ${r.code}, signal ${r.signal}, timedOut ${r.timedOut}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

describe('check forms: the recommended check fires in a warmed-up empty loop', () => {
  it('the recommended form is the one the transform emits', () => {
    expect(CURRENT_FORM).toBe('site-store');
  });

  it("the forms measured here are the transform's: universal (and bun) and V8 (target node, deno)", () => {
    // The bench's check text with the transform's names: `F` → `__td_F`, `T(M,17,i)` → the trap call.
    const condition = (id: string) => /^if\((.*)\)T\(M,17,i\);$/.exec(FORMS.find((f) => f.id === id)!.code)![1]!.replace(/\bF\b/g, '__td_F').replace('17', '0');
    const emitted = (target: 'any' | 'bun' | 'node' | 'deno') => instrument('let i = 0;\nwhile (true) i++;\n', { filename: '/x/spin.mjs', target }).code;
    for (const target of ['any', 'bun'] as const) expect(emitted(target)).toContain(`if(${condition(CURRENT_FORM)}){`);
    for (const target of ['node', 'deno'] as const) expect(emitted(target)).toContain(`if(${condition(V8_FORM)}){`);
  });

  for (const runtime of RUNTIMES) {
    // `var`: instrumented CommonJS binds F with var (emit.ts, `header`), Bun's included.
    for (const binding of ['import', 'var'] as const) {
      it(
        `${runtime}: if((F[1]=17,F[0])!==0)T(...) with F ${binding === 'import' ? 'imported from ESM' : 'a module var'} fires`,
        async () => {
          const r: FireResult = await checkFires(work, runtime, 'site-store', binding, { timeoutMs: CHILD_TIMEOUT_MS });
          expect(r.fired, explain(r)).toBe(true);
          expect(r.code, explain(r)).toBe(0);
          expect(r.stdout).toMatch(/^fired site=17 /m);
        },
        TEST_TIMEOUT_MS,
      );
    }
  }

  for (const runtime of V8_RUNTIMES) {
    for (const binding of ['import', 'const', 'var'] as const) {
      it(
        `${runtime}: the V8 form if(F[0]!==0)T(...) with F ${binding === 'import' ? 'imported from ESM' : `a module ${binding}`} fires`,
        async () => {
          const r: FireResult = await checkFires(work, runtime, V8_FORM, binding, { timeoutMs: CHILD_TIMEOUT_MS });
          expect(r.fired, explain(r)).toBe(true);
          expect(r.code, explain(r)).toBe(0);
          expect(r.stdout).toMatch(/^fired site=17 /m);
        },
        TEST_TIMEOUT_MS,
      );
    }
  }

  // Control: proves the harness can fail. JavaScriptCore hoists a plain typed-array load out of
  // an empty loop once it is optimized, so on Bun the plain-load form spins forever even though
  // the flag is set; the only difference from the Bun case above is the check form.
  it(
    'control — bun: the plain load if(F[0]!==0) in an empty loop does NOT fire (JSC hoists it)',
    async () => {
      const r: FireResult = await checkFires(work, 'bun', 'plain', 'import', { timeoutMs: CHILD_TIMEOUT_MS });
      expect(r.fired, explain(r)).toBe(false);
      expect(r.timedOut, explain(r)).toBe(true);
      expect(r.signal).toBe('SIGKILL');
      expect(r.stdout).not.toMatch(/fired/);
    },
    TEST_TIMEOUT_MS,
  );
});
