interface Scaled { by: number }
const factor: Scaled = { by: 10 };
export function scale(n: number): number {
  let out = 0;
  for (let i = 0; i < factor.by; i++) out += n;
  return out;
}
