// Names that exist only in TypeScript's type space, or are elided by it: non-instantiated
// namespaces, import aliases used only as types, type-only exports, interfaces merged with
// values. A check that captured any of them would throw a ReferenceError once compiled.
export {};
namespace Types {
  export interface Point { x: number; y: number }
  export type Id = string;
}
namespace Empty {}
declare namespace Ambient { const version: string; }
namespace Mixed {
  export interface Shape { kind: string }
  export const unit = 1;
}
import PointAlias = Types.Point;
import UnitAlias = Mixed.unit;
interface Merged { a: number }
const Merged = { a: 1 };
type Fn = (x: number) => number;
abstract class OnlyAbstract { abstract run(): void; }
const points: PointAlias[] = [];
for (let i = 0; i < 2; i++) points.push({ x: i, y: i * UnitAlias });
function useTypes(p: Types.Point, f: Fn): number {
  let total = 0;
  for (const k of ['x', 'y'] as const) total += f(p[k]);
  return total;
}
let sum = 0;
for (const p of points) sum += useTypes(p, (n) => n + 1);
console.log(sum, Merged.a, typeof OnlyAbstract, points.length);
