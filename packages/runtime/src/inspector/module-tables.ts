/**
 * Site tables read from a file's text, for modules that have not registered yet.
 *
 * An ES module whose runtime bindings follow its last line (code on line 1, no code-free line:
 * e.g. @rollup/plugin-typescript's output) registers only once its body has run; while its body
 * is stuck in a call, the runtime does not know it, so its frames below the paused one could not
 * be placed. Its table is in its text, though, after the transform's marker
 * (`function __td_M() {return /*trapdoor:2*\/'{"v":2,…}'}`, a JSON text in a string; from older
 * transforms `/*trapdoor:1*\/{v:1,…}`, an object literal): in the bundle or instrumented file on
 * disk, or in the code a loader instrumented in memory, which a loader offers through
 * `globalThis[Symbol.for('trapdoor.instrumented-source')]` (a function from the file, as the
 * engine names it, to the instrumented code, or undefined).
 *
 * The table is read with a small parser of the literal forms bundlers print for data (objects,
 * arrays, strings in any quotes, numbers, `true`/`false`/`null`, minifiers' `!0`/`!1`/`void 0`),
 * never evaluated: the text is the program's, and nothing of it may run at another time. A
 * string (version 2, in whatever quotes a bundler reprinted it) is then parsed as JSON.
 * Hand-written: JSON5 parsers do not take backtick strings or `!0`, and this is 80 lines.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModuleTable } from '../modules.js';
import { denoAllows } from '../permissions.js';

/** The transform's markers (transform/src/emit.ts) share this start, then the table's version and `*\/`. */
const MARKER_START = '/*trapdoor:';
const MARKER_VERSIONS = ['1*/', '2*/'];
const SOURCE_KEY = Symbol.for('trapdoor.instrumented-source');
type SourceHolder = { [SOURCE_KEY]?: (file: string) => string | undefined };

/** The instrumented code of `file` (a path or file: URL): the loader's, else the file's own text. */
function codeOf(file: string): string | undefined {
  try {
    const offered = (globalThis as SourceHolder)[SOURCE_KEY]?.(file);
    if (typeof offered === 'string') return offered;
  } catch {
    // a loader's problem: read the file instead
  }
  let path: string;
  try {
    path = file.startsWith('file:') ? fileURLToPath(file) : file;
  } catch {
    return undefined;
  }
  if (!path.startsWith('/') && !/^[a-zA-Z]:[\\/]/.test(path)) return undefined;
  if (!denoAllows({ name: 'read', path })) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every site table in `file`'s instrumented code (several in a bundle), in order; none when there is no code or marker. */
export function tablesIn(file: string): ModuleTable[] {
  const code = codeOf(file);
  if (code === undefined) return [];
  const tables: ModuleTable[] = [];
  for (let at = code.indexOf(MARKER_START); at >= 0; at = code.indexOf(MARKER_START, at + MARKER_START.length)) {
    const after = at + MARKER_START.length;
    const version = MARKER_VERSIONS.find((tail) => code.startsWith(tail, after));
    if (version === undefined) continue;
    try {
      let value = new LiteralReader(code, after + version.length).read();
      // Version 2: the JSON text of the table, in a string (nothing else is one).
      if (version === '2*/') value = typeof value === 'string' ? JSON.parse(value) : undefined;
      const table = value as Partial<ModuleTable> | null;
      if (
        table !== null &&
        typeof table === 'object' &&
        table.v === (version === '2*/' ? 2 : 1) &&
        typeof table.file === 'string' &&
        Array.isArray(table.sites) &&
        (Array.isArray(table.sources) || (table.v === 2 && table.sources === undefined))
      ) {
        tables.push(table as ModuleTable);
      }
    } catch {
      // not a table this reader understands (a minifier rewrote it): skipped
    }
  }
  return tables;
}

const WORD = /!0|!1|void 0|true|false|null|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const KEY = /[\w$]+/y;
const SPACE = /\s+|\/\*[\s\S]*?\*\/|\/\/[^\n]*/y;

class LiteralReader {
  #at: number;
  readonly #text: string;

  constructor(text: string, at: number) {
    this.#text = text;
    this.#at = at;
  }

  read(): unknown {
    this.#space();
    const c = this.#text[this.#at];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"' || c === "'" || c === '`') return this.#string();
    if (c === '(') {
      this.#at++;
      const value = this.read();
      this.#expect(')');
      return value;
    }
    const word = this.#match(WORD);
    if (word === undefined) throw new Error(`unexpected ${c ?? 'end'} at ${this.#at}`);
    if (word === '!0' || word === 'true') return true;
    if (word === '!1' || word === 'false') return false;
    if (word === 'null') return null;
    if (word === 'void 0') return undefined;
    return Number(word);
  }

  #object(): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null);
    this.#at++;
    for (;;) {
      this.#space();
      if (this.#text[this.#at] === '}') return (this.#at++, { ...out });
      const c = this.#text[this.#at];
      let key: string;
      if (c === '"' || c === "'" || c === '`') key = this.#string();
      else {
        const name = this.#match(KEY);
        if (name === undefined) throw new Error(`bad key at ${this.#at}`);
        key = name;
      }
      this.#expect(':');
      out[key] = this.read();
      this.#space();
      if (this.#text[this.#at] === ',') this.#at++;
      else if (this.#text[this.#at] !== '}') throw new Error(`expected , or } at ${this.#at}`);
    }
  }

  #array(): unknown[] {
    const out: unknown[] = [];
    this.#at++;
    for (;;) {
      this.#space();
      if (this.#text[this.#at] === ']') return (this.#at++, out);
      out.push(this.read());
      this.#space();
      if (this.#text[this.#at] === ',') this.#at++;
      else if (this.#text[this.#at] !== ']') throw new Error(`expected , or ] at ${this.#at}`);
    }
  }

  #string(): string {
    const quote = this.#text[this.#at]!;
    let out = '';
    for (let i = this.#at + 1; i < this.#text.length; i++) {
      const c = this.#text[i]!;
      if (c === quote) {
        this.#at = i + 1;
        return out;
      }
      if (quote === '`' && c === '$' && this.#text[i + 1] === '{') throw new Error('a template with a substitution');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const next = this.#text[++i]!;
      const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0' };
      if (next in simple) out += simple[next];
      else if (next === 'u' && this.#text[i + 1] === '{') {
        const end = this.#text.indexOf('}', i);
        out += String.fromCodePoint(parseInt(this.#text.slice(i + 2, end), 16));
        i = end;
      } else if (next === 'u' || next === 'x') {
        const length = next === 'u' ? 4 : 2;
        out += String.fromCharCode(parseInt(this.#text.slice(i + 1, i + 1 + length), 16));
        i += length;
      } else if (next === '\n') {
        // a line continuation
      } else out += next;
    }
    throw new Error('an unterminated string');
  }

  #space(): void {
    while (this.#match(SPACE) !== undefined);
  }

  /** The text `pattern` (sticky) matches here, consumed; undefined when it does not match or matches nothing. */
  #match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#at;
    const found = pattern.exec(this.#text)?.[0];
    if (found === undefined || found === '') return undefined;
    this.#at += found.length;
    return found;
  }

  #expect(c: string): void {
    this.#space();
    if (this.#text[this.#at] !== c) throw new Error(`expected ${c} at ${this.#at}`);
    this.#at++;
  }
}
