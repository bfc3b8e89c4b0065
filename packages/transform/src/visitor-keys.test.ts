import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { render } from '../scripts/visitor-keys.mjs';

it('matches the installed @babel/types (regenerate with node scripts/visitor-keys.mjs)', () => {
  expect(readFileSync(new URL('./visitor-keys.ts', import.meta.url), 'utf8')).toBe(render());
});
