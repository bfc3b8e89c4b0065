export function shout(text: string): string {
  const words: string[] = [];
  for (const word of text.split(' ')) words.push(word.toUpperCase());
  return `${words.join(' ')}!`;
}

export const initials = (names: string[]): string => names.map((name) => name[0]).join('');
