// Imports used only as types are elided by TypeScript; `declare`d names have no runtime binding.
// If a check captured any of them, the import would be kept (and load a module with a side
// effect) or the program would throw a ReferenceError.
import { Shape, Id } from './_ts-types.mjs';
import type { Shape as S2 } from './_ts-types.mjs';
import { type Id as Id2 } from './_ts-types.mjs';
declare const GLOBAL_FLAG: boolean;
declare let declaredCounter: number;
declare function declaredFn(): void;
declare class DeclaredCls {}
declare enum DeclaredEnum { A }
declare module 'some-module' { export const x: number; }
let shape: Shape = { kind: 'square' };
let id: Id = 'id-1';
const ids: Id2[] = [];
const s2: S2 | null = null;
for (let i = 0; i < 2; i++) ids.push(id + i);
function inner(x: Shape): Id { let r: Id = ''; for (const c of x.kind) r += c.toUpperCase(); return r; }
console.log(inner(shape), ids.join(','), s2, typeof GLOBAL_FLAG === 'undefined');
export {};
