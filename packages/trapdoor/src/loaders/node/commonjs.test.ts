// withLastDecision: the CommonJS hook's decision asked twice in a row for one module (Node 22+:
// the compile hook's read window, then the load hook) is made once.
import { describe, expect, it } from 'vitest';
import { withLastDecision } from './commonjs.js';
import type { Changed, NodeFormat } from './compile-hook.js';

function counted() {
  const asked: string[] = [];
  const decide = (content: string, filename: string, format: NodeFormat): Changed | undefined => {
    asked.push(`${filename}:${String(format)}`);
    return content.includes('loop') ? { content: `/*trapdoor:2*/${content}`, format } : undefined;
  };
  return { asked, change: withLastDecision(decide) };
}

describe('withLastDecision', () => {
  it('answers the same text for the same module again without deciding it again, changed or not', () => {
    const { asked, change } = counted();
    expect(change('module.exports = 1', '/p/a.cjs', 'commonjs', {})).toBeUndefined();
    expect(change('module.exports = 1', '/p/a.cjs', 'commonjs', {})).toBeUndefined();
    const first = change('loop()', '/p/b.cjs', 'commonjs', {});
    expect(first?.content).toBe('/*trapdoor:2*/loop()');
    expect(change('loop()', '/p/b.cjs', 'commonjs', {})).toEqual(first);
    expect(asked).toEqual(['/p/a.cjs:commonjs', '/p/b.cjs:commonjs']);
  });

  it('leaves the text it produced as it is (the load hook is handed what the read window returned)', () => {
    const { asked, change } = counted();
    const changed = change('loop()', '/p/b.cjs', 'commonjs', {})!;
    expect(change(changed.content, '/p/b.cjs', 'commonjs', {})).toBeUndefined();
    expect(asked).toHaveLength(1);
  });

  it('decides again for another file, another text, another format or the entry point', () => {
    const { asked, change } = counted();
    change('module.exports = 1', '/p/a.cjs', 'commonjs', {});
    change('module.exports = 1', '/p/c.cjs', 'commonjs', {});
    change('module.exports = 2', '/p/c.cjs', 'commonjs', {});
    change('module.exports = 2', '/p/c.cjs', undefined, {});
    change('module.exports = 2', '/p/c.cjs', undefined, { id: '.' });
    // Only the last answer is kept: a.cjs is decided again.
    change('module.exports = 1', '/p/a.cjs', 'commonjs', {});
    expect(asked).toEqual(['/p/a.cjs:commonjs', '/p/c.cjs:commonjs', '/p/c.cjs:commonjs', '/p/c.cjs:undefined', '/p/c.cjs:undefined', '/p/a.cjs:commonjs']);
  });
});
