// Each bench writes its table to bench/results/<name>.md; bench/report.mjs assembles them into
// bench/results.md with the machine and the runtime versions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS = resolve(dirname(fileURLToPath(import.meta.url)), 'results');

/** Writes `## title` and the lines to bench/results/<name>; returns the path. */
export function writeResults(name, title, lines) {
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, name);
  // A table ends at a blank line (a line of text right after one would be read as a row).
  const body = lines.flatMap((line, i) => (i > 0 && lines[i - 1].startsWith('|') && !line.startsWith('|') && line !== '' ? ['', line] : [line]));
  writeFileSync(file, [`## ${title}`, '', ...body, ''].join('\n'));
  return file;
}
