import { expect, test } from 'vitest';
import { countTo } from '@lib/spin';

test('passes before', () => {
  expect((globalThis as { fromSetup?: string }).fromSetup).toBe('from the setup file');
  expect(__FIXTURE_PLUGIN__).toBe('from the plugin');
  expect((globalThis as { projectRunner?: string }).projectRunner).toBe('ran');
});

test('spins in while (true)', () => {
  let warm = countTo(1000);
  while (true) {
    warm++;
  }
});

test('passes after', () => {
  expect(countTo(10)).toBe(9);
});

declare const __FIXTURE_PLUGIN__: string;
