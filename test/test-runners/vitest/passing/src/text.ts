export function shout(text: string): string {
  const words: string[] = [];
  for (const word of text.split(' ')) words.push(word.toUpperCase());
  return `${words.join(' ')}!`;
}
