// Indexes the Markdown files next to it (Bun.file, Bun.Glob); `serve` waits for the index first.
import { WordIndex, awaitReady } from './index.ts';

const command = Bun.argv[2] ?? 'top';
const dir = new URL('../docs/', import.meta.url).pathname;
const index = new WordIndex();
const files = [...new Bun.Glob('*.md').scanSync(dir)].sort();
for (const name of files) index.add(name, await Bun.file(dir + name).text());
console.log(`indexed ${files.length} documents`);
for (const [word, count] of index.top(5)) console.log(`  ${word} ${count}`);
console.log(`"debugger": ${index.lookup('debugger').map((p) => `${p.doc}×${p.count}`).join(', ')}`);

if (command === 'serve') {
  // The bug a debugger finds: nothing ever sets index.ready (the loader that should is not started).
  console.log('waiting for the index');
  const polls = awaitReady(index);
  console.log(`serving after ${polls > 0 ? 'some' : 'no'} polls`);
}
