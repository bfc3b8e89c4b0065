// TypeScript, compiled to JavaScript with a source map before it is instrumented: everything the
// debugger shows must be in this file's coordinates.
interface Point {
  x: number;
  y: number;
}

type Orbit = { turns: number };

function norm(p: Point): number {
  return Math.sqrt(p.x * p.x + p.y * p.y);
}

function orbit(steps: number): Orbit {
  let angle: number = 0;
  let hold: boolean = true;
  while (hold) {
    angle += norm({ x: Math.cos(angle), y: Math.sin(angle) }) / steps;
  }
  return { turns: Math.round(angle) };
}

console.log('spinning');
const result: Orbit = orbit(1000);
console.log(`turns ${result.turns > 0 ? 'many' : 'none'}`);
