import { DEFAULT_RUNTIME as TRANSFORM_DEFAULT } from '@trapdoor-js/transform';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNTIME, resolveOptions } from './options.js';

describe('adapter options', () => {
  it("the default runtime is the transform's (written out so that reading the options does not load the transform)", () => {
    expect(DEFAULT_RUNTIME).toBe(TRANSFORM_DEFAULT);
    expect(resolveOptions({}).runtime).toBe(TRANSFORM_DEFAULT);
    expect(resolveOptions({ production: true }).runtime).toBe(`${TRANSFORM_DEFAULT}/production`);
  });
});
