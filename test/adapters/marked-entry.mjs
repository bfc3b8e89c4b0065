// A real package as bundled code: marked renders real Markdown files; prints what it made.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { marked } from 'marked';

const require = createRequire(import.meta.url);
for (const doc of ['terser/README.md', 'prettier/THIRD-PARTY-NOTICES.md', '@babel/parser/CHANGELOG.md']) {
  const html = marked.parse(readFileSync(require.resolve(doc), 'utf8'));
  console.log(doc, html.length, createHash('sha256').update(html).digest('hex').slice(0, 16));
}
