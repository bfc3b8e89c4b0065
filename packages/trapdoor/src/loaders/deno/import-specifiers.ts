/**
 * Finds the module specifiers of an ES module's imports without parsing it: `import … from 's'`,
 * `import 's'`, `export … from 's'` and `import('s')` with a plain string. A lexer, not a parser
 * (the way es-module-lexer works): it skips comments, strings, template literals and regular
 * expressions, and tells a regular expression from a division by the token before it. Parsing
 * every module of trapdoor's own with @babel/parser cost Deno 75 ms at each start; this costs a
 * few. Only imports-only node: builtins: it runs before anything that Deno's resolver could fail on.
 */

export interface Specifier {
  /** The string literal's range in the source, quotes included. */
  start: number;
  end: number;
  /** Its text (a literal with escapes is not reported: none of trapdoor's dependencies write one). */
  value: string;
}

/** Keywords after which a `/` starts a regular expression (after other words it divides). */
const REGEX_AFTER = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await', 'extends']);

const isIdentifierChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 36 || c === 95 || c === 92 || c === 35 || c > 127;

export function importSpecifiers(source: string): Specifier[] {
  const found: Specifier[] = [];
  const n = source.length;
  let i = 0;
  let regexAllowed = true;
  /** Open `{` and template `${`: a `}` closes whichever is innermost. */
  const nesting: Array<'brace' | 'template'> = [];
  /** The last significant character before the current token ('.' makes `x.import` a property). */
  let previous = '';

  /** Skips white space and comments from `j`; returns the next significant position. */
  const skipBlank = (j: number): number => {
    for (;;) {
      const c = source.charCodeAt(j);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || c === 11 || c === 12) j++;
      else if (c === 47 && source.charCodeAt(j + 1) === 47) {
        const end = source.indexOf('\n', j + 2);
        j = end < 0 ? n : end + 1;
      } else if (c === 47 && source.charCodeAt(j + 1) === 42) {
        const end = source.indexOf('*/', j + 2);
        j = end < 0 ? n : end + 2;
      } else return j;
    }
  };

  /** The end (after the closing quote) of the string literal at `j`. */
  const stringEnd = (j: number): number => {
    const quote = source.charCodeAt(j);
    for (let k = j + 1; k < n; k++) {
      const c = source.charCodeAt(k);
      if (c === 92) k++;
      else if (c === quote) return k + 1;
      else if (c === 10 || c === 13) return k; // unterminated: stop at the line's end
    }
    return n;
  };

  const isQuote = (j: number): boolean => source[j] === '"' || source[j] === "'";

  /** Records the string literal at `j` if it is one; returns its end. */
  const record = (j: number): number => {
    const end = stringEnd(j);
    const value = source.slice(j + 1, end - 1);
    if (!value.includes('\\')) found.push({ start: j, end, value });
    return end;
  };

  const wordEnd = (j: number): number => {
    while (j < n && isIdentifierChar(source.charCodeAt(j))) j++;
    return j;
  };

  /** Scans the clause of `import x, { a as b } from` / `export * as ns from`: the position of the string after `from`, or -1. */
  const fromClause = (j: number): number => {
    let depth = 0;
    let afterFrom = false;
    for (;;) {
      j = skipBlank(j);
      if (j >= n) return -1;
      const ch = source[j]!;
      if (isQuote(j)) {
        if (afterFrom && depth === 0) return j;
        j = stringEnd(j); // a string export name: `{ "a-b" as c }`
        afterFrom = false;
      } else if (ch === '{') {
        depth++;
        j++;
      } else if (ch === '}') {
        if (depth === 0) return -1;
        depth--;
        j++;
      } else if (ch === ',' || ch === '*') {
        j++;
        afterFrom = false;
      } else if (isIdentifierChar(source.charCodeAt(j))) {
        const end = wordEnd(j);
        afterFrom = depth === 0 && source.slice(j, end) === 'from';
        j = end;
      } else return -1; // `;`, `(`, `=`: not a clause
    }
  };

  /** The template literal's text from `j` (after a backtick or a closing `}`): at its end or at a `${`. */
  const template = (j: number): number => {
    for (; j < n; j++) {
      const c = source.charCodeAt(j);
      if (c === 92) j++;
      else if (c === 96) {
        regexAllowed = false;
        return j + 1;
      } else if (c === 36 && source.charCodeAt(j + 1) === 123) {
        nesting.push('template');
        regexAllowed = true;
        return j + 2;
      }
    }
    return n;
  };

  /** The end of the regular expression literal at `j`, or -1 when it is not one (it ran into a line end). */
  const regexEnd = (j: number): number => {
    let inClass = false;
    for (let k = j + 1; k < n; k++) {
      const c = source.charCodeAt(k);
      if (c === 92) k++;
      else if (c === 10 || c === 13) return -1;
      else if (c === 91) inClass = true;
      else if (c === 93) inClass = false;
      else if (c === 47 && !inClass) return wordEnd(k + 1);
    }
    return -1;
  };

  while (i < n) {
    const start = skipBlank(i);
    if (start >= n) break;
    i = start;
    const c = source.charCodeAt(i);
    const ch = source[i]!;
    if (ch === '"' || ch === "'") {
      i = stringEnd(i);
      regexAllowed = false;
    } else if (ch === '`') {
      i = template(i + 1);
    } else if (ch === '{') {
      nesting.push('brace');
      i++;
      regexAllowed = true;
    } else if (ch === '}') {
      i++;
      if (nesting.pop() === 'template') i = template(i);
      else regexAllowed = true;
    } else if (ch === '/') {
      const end: number = regexAllowed ? regexEnd(i) : -1;
      i = end < 0 ? i + 1 : end;
      regexAllowed = end < 0;
    } else if (ch === ')' || ch === ']') {
      i++;
      regexAllowed = false;
    } else if (isIdentifierChar(c) && !(c >= 48 && c <= 57)) {
      const end = wordEnd(i);
      const word = source.slice(i, end);
      const property = previous === '.';
      i = end;
      regexAllowed = !property && REGEX_AFTER.has(word);
      if (!property && (word === 'import' || word === 'export')) {
        const next = skipBlank(end);
        if (word === 'import' && source[next] === '(') {
          const arg = skipBlank(next + 1);
          if (isQuote(arg)) {
            const after = skipBlank(stringEnd(arg));
            if (source[after] === ')' || source[after] === ',') record(arg);
          }
        } else if (word === 'import' && isQuote(next)) {
          i = record(next);
        } else if (word === 'import' ? source[next] !== '.' : source[next] === '*' || source[next] === '{') {
          const literal = fromClause(next);
          if (literal >= 0) i = record(literal);
        }
      }
    } else if (c >= 48 && c <= 57) {
      i = wordEnd(i);
      // A decimal point and an exponent's sign are read as punctuation: harmless.
      regexAllowed = false;
    } else {
      i++;
      regexAllowed = true;
    }
    previous = source[i - 1] === undefined ? '' : ch;
  }
  return found;
}
