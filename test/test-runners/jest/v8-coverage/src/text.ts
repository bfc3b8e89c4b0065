export function shout(text: string): string {
  const words: string[] = [];
  for (const word of text.split(' ')) words.push(word.toUpperCase());
  return `${words.join(' ')}!`;
}

export const initials = (names: string[]): string => names.map((name) => name[0]).join('');

interface Node {
  parent?: Node;
  names: string[];
}

// A braced loop body followed by more code, a method call in the loop.
export function ancestors(node: Node, sorted: boolean): string[] {
  const names: string[] = [];
  for (let at = node.parent; at; at = at.parent) {
    const visible = at.names.filter((name) => !name.startsWith('_'));
    names.push(...visible);
  }
  if (sorted) {
    names.sort();
  }
  return names;
}
