// The check the transform emits must FIRE in the tightest loop there is, after JIT warm-up,
// on every runtime (DESIGN.md, section 1). The programs come from bench/check-forms/programs.mjs,
// the same generator `npm run bench:checks` measures, so the test and the bench cannot drift.
//
// Each case runs a child process that warms up a bounded loop with the check, then spins in
// `while (true) { CHECK }` while a worker thread sets the request flag (Atomics.store) 300 ms
// later. Firing means: the slow path ran, printed "fired" and exited 0. A child still spinning
// after CHILD_TIMEOUT_MS is killed (SIGKILL) and counts as a hang. No timing is asserted.
import { afterAll, describe, expect, it } from 'vitest';
import { CURRENT_FORM, RUNTIMES, checkFires, killAll, makeWorkDir, type FireResult } from '../bench/check-forms/programs.mjs';

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

  for (const runtime of RUNTIMES) {
    it(
      `${runtime}: if ((F[1] = 17, F[0]) !== 0) T(...) with F imported from ESM fires`,
      async () => {
        const r: FireResult = await checkFires(work, runtime, 'site-store', 'import', { timeoutMs: CHILD_TIMEOUT_MS });
        expect(r.fired, explain(r)).toBe(true);
        expect(r.code, explain(r)).toBe(0);
        expect(r.stdout).toMatch(/^fired site=17 /m);
      },
      TEST_TIMEOUT_MS,
    );
  }

  // Control: proves the harness can fail. JavaScriptCore hoists a plain typed-array load out of
  // an empty loop once it is optimized, so on Bun the plain-load form spins forever even though
  // the flag is set; the only difference from the Bun case above is the check form.
  it(
    'control — bun: the plain load if (F[0] !== 0) in an empty loop does NOT fire (JSC hoists it)',
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
