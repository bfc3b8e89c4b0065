/**
 * The source files a parser or transform comparison reads in bulk (the semantic corpus, rxjs's
 * sources, the repository's own): shared by packages/transform's parse-oxc and instrument-async
 * tests. Kept out of packages/transform/src, whose other files are built and published.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every JavaScript and TypeScript file below `dir` (not .d.ts), skipping node_modules and .tmp folders. */
export function sourceFilesUnder(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '.tmp') sourceFilesUnder(full, out);
    } else if (/\.([cm]?[jt]sx?)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** A file as a comparison's input: its name and its text. */
export const readSource = (file: string): { file: string; code: string } => ({ file, code: readFileSync(file, 'utf8') });
