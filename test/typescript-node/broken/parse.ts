export function parse(text: string): number {
  const value: = Number(text);
  return value;
}
