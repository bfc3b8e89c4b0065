// instrumentAsync (oxc's parse on libuv's thread pool) against instrument(): byte for byte the same
// code, maps and sites, and the same errors, on the semantic corpus, rxjs's TypeScript sources and
// the transform's own, with Babel's parse where oxc's is not used (Flow, `trapdoor-ignore-next`,
// what oxc rejects, useParser('babel')). The files go in at once, as a bundler hands them over.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { instrument, instrumentAsync, type InstrumentOptions, type InstrumentResult } from './index.js';
import { useParser } from './parse.js';
import { readSource as read, ROOT, sourceFilesUnder as filesUnder } from '../../../test/helpers/source-files.js';

/** Everything a result holds, as text (both maps built); an error as its code and message. */
const asText = (r: InstrumentResult) => JSON.stringify([r.code, r.insertMap, r.map, r.sites, r.moduleType, r.skipped]);
const failure = (error: unknown) => {
  const e = error as { code?: string; message?: string };
  return `error ${e.code}: ${e.message}`;
};
function syncOutcome(code: string, options: InstrumentOptions): string {
  try {
    return asText(instrument(code, options));
  } catch (error) {
    return failure(error);
  }
}

type Input = { file: string; code: string; options?: Partial<InstrumentOptions> };

/** The inputs whose async outcome differs from the sync one, all instrumented at once. */
async function differing(inputs: Input[]): Promise<string[]> {
  const asyncOutcomes = await Promise.all(inputs.map(({ file, code, options }) => instrumentAsync(code, { filename: file, ...options }).then(asText, failure)));
  const out: string[] = [];
  inputs.forEach(({ file, code, options }, i) => {
    const sync = syncOutcome(code, { filename: file, ...options });
    if (sync !== asyncOutcomes[i]) out.push(`${file} ${JSON.stringify(options ?? {})}: sync …${sync.slice(0, 120)}… async …${asyncOutcomes[i]!.slice(0, 120)}…`);
  });
  return out;
}

afterEach(() => useParser('auto'));

describe('instrumentAsync', () => {
  it('gives what instrument() gives on every file of the semantic corpus, in both check forms and module types', async () => {
    const files = filesUnder(path.join(ROOT, 'test/corpus')).map(read);
    expect(files.length).toBeGreaterThan(50);
    const inputs = files.flatMap((f) => [f, { ...f, options: { target: 'node' as const, moduleType: 'cjs' as const, coverageHints: true } }, { ...f, options: { entryChecks: 'all' as const, insertMapStartsOnly: true } }]);
    expect(await differing(inputs)).toEqual([]);
  });

  it("gives what instrument() gives on rxjs's TypeScript modules and the transform's own sources", async () => {
    const files = [...filesUnder(path.join(ROOT, 'node_modules/rxjs/src')), ...filesUnder(path.join(ROOT, 'packages/transform/src'))].map(read);
    expect(files.length).toBeGreaterThan(250);
    expect(await differing(files)).toEqual([]);
  });

  it('gives what instrument() gives where Babel parses (Flow, trapdoor-ignore-next, what oxc rejects, no oxc) and for bad input', async () => {
    const snippets: Input[] = [
      { file: 'flow.js', code: '/* @flow */ function f(x: number) { while (x) {} }' },
      { file: 'ignore.js', code: 'function f() {\n  // trapdoor-ignore-next\n  while (a) {}\n  while (b) {}\n}' },
      { file: 'dup.js', code: 'let a; let a;' },
      { file: 'bad.ts', code: 'function f( {' },
      { file: 'done.js', code: 'while (a) {} /* trapdoor-ignore-file */' },
      { file: 'opts.js', code: 'while (a) {}', options: { mode: 'debug' } },
      { file: 'cjs.ts', code: 'const x = require("y");\nfor (;;) { x(); }', options: { language: 'js' } },
    ];
    expect(await differing(snippets)).toEqual([]);
    // The same errors: a rejection, not a throw.
    await expect(instrumentAsync('function f( {', { filename: 'bad.js' })).rejects.toMatchObject({ code: 'ERR_TRAPDOOR_SYNTAX', line: 1 });
    useParser('babel');
    expect(await differing(filesUnder(path.join(ROOT, 'test/corpus')).slice(0, 30).map(read))).toEqual([]);
  });

  it("parses off this thread where oxc parses (this thread's next turn comes first), on it where Babel does", async () => {
    const { code } = read(path.join(ROOT, 'node_modules/acorn/dist/acorn.mjs'));
    const order = async () => {
      const seen: string[] = [];
      setImmediate(() => seen.push('next turn'));
      await instrumentAsync(code, { filename: 'acorn.mjs' }).then(() => seen.push('instrumented'));
      await new Promise((resolve) => setImmediate(resolve));
      return seen;
    };
    expect(await order()).toEqual(['next turn', 'instrumented']);
    useParser('babel');
    expect(await order()).toEqual(['instrumented', 'next turn']);
  });
});
