// TypeScript CommonJS: import = require, export =, and a class with parameter properties.
import path = require('node:path');
import type { ParsedPath } from 'node:path';
class Joiner {
  constructor(private readonly sep: string = path.posix.sep) {}
  join(parts: string[]): string { let r = ''; for (let i = 0; i < parts.length; i++) r += (i ? this.sep : '') + parts[i]; return r; }
}
const parsed: ParsedPath = path.posix.parse('/a/b.txt');
console.log(new Joiner().join(['x', 'y', 'z']), parsed.ext);
export = Joiner;
