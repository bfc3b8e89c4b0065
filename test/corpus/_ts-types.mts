// Only types, plus a side effect: if this module is ever loaded, the importer's output changes.
console.log('!!! _ts-types.mts was loaded: a type-only import was kept');
export interface Shape { kind: string }
export type Id = string;
export const runtimeValue = 1;
