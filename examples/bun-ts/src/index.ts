// A word index of Markdown files: which words occur in which documents, and how often.

export interface Posting {
  doc: string;
  count: number;
}

export class WordIndex {
  private readonly words = new Map<string, Posting[]>();
  ready = false;

  add(doc: string, text: string): void {
    const counts = new Map<string, number>();
    for (const word of text.toLowerCase().match(/[a-z][a-z'-]{2,}/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
    for (const [word, count] of counts) {
      const postings = this.words.get(word) ?? [];
      postings.push({ doc, count });
      this.words.set(word, postings);
    }
  }

  lookup(word: string): Posting[] {
    return this.words.get(word.toLowerCase()) ?? [];
  }

  top(n: number): [string, number][] {
    const totals = [...this.words].map(([word, postings]): [string, number] => [word, postings.reduce((sum, p) => sum + p.count, 0)]);
    return totals.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
  }
}

/** Waits, busily, for another part of the program to mark the index ready: returns how often it looked. */
export function awaitReady(index: WordIndex): number {
  let polls = 0;
  let ready = index.ready;
  while (!ready) {
    polls++;
    if (index.ready) ready = true;
  }
  return polls;
}
