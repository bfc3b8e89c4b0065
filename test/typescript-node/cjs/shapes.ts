// Types, generics and an enum (which strip-only mode rejects: compiled with a source map).
interface Shape {
  kind: Kind;
  size: number;
}

enum Kind {
  Square = 'square',
  Circle = 'circle',
}

function area<T extends Shape>(shape: T): number {
  return shape.kind === Kind.Square ? shape.size * shape.size : Math.round(Math.PI * shape.size * shape.size);
}

function largest<T extends Shape>(shapes: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const shape of shapes) if (best === undefined || area(shape) > area(best)) best = shape;
  return best;
}

function check(shape: Shape): void { if (shape.size < 0) throw new RangeError(`negative size ${shape.size}`); }

module.exports = { area, check, Kind, largest };
export type { Shape };
