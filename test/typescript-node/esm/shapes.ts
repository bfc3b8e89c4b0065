// Types, generics and an enum (which strip-only mode rejects: compiled with a source map).
export interface Shape {
  kind: Kind;
  size: number;
}

export enum Kind {
  Square = 'square',
  Circle = 'circle',
}

export function area<T extends Shape>(shape: T): number {
  return shape.kind === Kind.Square ? shape.size * shape.size : Math.round(Math.PI * shape.size * shape.size);
}

export function largest<T extends Shape>(shapes: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const shape of shapes) if (best === undefined || area(shape) > area(best)) best = shape;
  return best;
}

export function check(shape: Shape): void { if (shape.size < 0) throw new RangeError(`negative size ${shape.size}`); }
