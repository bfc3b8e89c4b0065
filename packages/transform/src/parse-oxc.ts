/**
 * Parsing with oxc-parser (native, several times faster than @babel/parser), converted to the
 * Babel AST shapes the analysis reads (sites.ts, scope.ts, index.ts), so that the output is
 * byte for byte the one of the Babel parse (test: parse-oxc.test.ts diffs both on the corpus
 * and real packages).
 *
 * oxc gives ESTree (with TS-ESTree for TypeScript) and UTF-16 offsets, as Babel does. The
 * conversion is done in place, node by node, and only where Babel's shape differs:
 * - `Literal` → `StringLiteral`, `NumericLiteral`, `BooleanLiteral`, `NullLiteral`, `RegExpLiteral`, `BigIntLiteral`;
 * - `Property` → `ObjectProperty`, or `ObjectMethod` (the function merged into it, from the key's start);
 * - `MethodDefinition` → `ClassMethod`/`ClassPrivateMethod` (`TSDeclareMethod` without a body),
 *   `PropertyDefinition` → `ClassProperty`/`ClassPrivateProperty`, `AccessorProperty` → `ClassAccessorProperty`;
 * - `PrivateIdentifier` → `PrivateName`; `ChainExpression` → `OptionalMemberExpression`/`OptionalCallExpression`;
 * - the directive prologue → `directives`; the hashbang → `interpreter`; `import(…)` → a call of `Import`
 *   (Babel 7's default); `TSEnumDeclaration`'s body → `members`;
 * - `loc` (line, column) only on the nodes that can become sites (sites.ts reads it there alone).
 * Type-only subtrees are left as oxc gives them: the walk skips them (sites.ts, `typeOnly`), and
 * what reads them generically (index.ts, `mayCallIn`) looks only at identifiers, which both share.
 * Written by hand: no maintained ESTree → Babel converter exists (Babel's own `estree` plugin goes
 * the other way).
 */
import type { File } from '@babel/types';
import { splitLines, type Lines } from './lines.js';

type OxcComment = { type: 'Line' | 'Block'; value: string; start: number; end: number };

/** What oxc-parser's `parseSync` and `parse` give. */
interface OxcResult {
  program: OxcNode;
  comments: OxcComment[];
  errors: { severity: string; message: string }[];
}

/** What the binding's `parseSync` and `parse` give (see OxcBinding). */
interface OxcBindingResult {
  /** `{"node": <the program>, "fixes": [<paths to BigInt and RegExp literals>]}`. */
  program: string;
  comments: OxcComment[];
  errors: { severity: string; message: string }[];
}

/** What this module needs of oxc-parser's API (0.158). */
export interface OxcParser {
  parseSync(filename: string, code: string, options: Record<string, unknown>): OxcResult;
  /** The parse on libuv's thread pool (the AST's conversion to objects still on this thread). */
  parse?(filename: string, code: string, options: Record<string, unknown>): Promise<OxcResult>;
  rawTransferSupported?(): boolean;
}

/**
 * oxc-parser's native binding (its exported `oxc-parser/src-js/bindings`), whose `parseSync`
 * hands the program over as JSON text that the package's own `parseSync` parses in a wrapper.
 */
export interface OxcBinding {
  parseSync(filename: string, code: string, options: Record<string, unknown>): OxcBindingResult;
  parse?(filename: string, code: string, options: Record<string, unknown>): Promise<OxcBindingResult>;
}

export type OxcLang = 'jsx' | 'ts' | 'tsx';

/** What the raw transfer's deserializers give (oxc-parser's `generated/deserialize/{js,ts}.js`). */
type RawData = { program: OxcNode; comments: OxcComment[]; errors: { severity: string; message: string }[] };
type Deserialize = (buffer: RawBuffer, code: string, sourceStart: number, sourceByteLength: number) => RawData;
type RawBuffer = Uint8Array & { int32: Int32Array; float64: Float64Array; block: Uint8Array };

/**
 * What RawTransfer needs of oxc-parser (0.158): its binding's raw-transfer calls, the buffer's
 * layout (`generated/constants.js`) and the deserializers, all exported by the package.
 */
export interface OxcRawParts {
  getBufferOffset(buffer: Uint8Array): number;
  parseRawSync(filename: string, block: Uint8Array, sourceStart: number, sourceByteLength: number, options: Record<string, unknown>): void;
  constants: { BLOCK_SIZE: number; BLOCK_ALIGN: number; BUFFER_SIZE: number; ACTIVE_SIZE: number; IS_TS_FLAG_POS: number };
  /** The deserializer for a JavaScript (`js`) or TypeScript (`ts`) AST, loaded when first asked for. */
  deserializer(kind: 'js' | 'ts'): Deserialize;
}

/** A buffer unused this long is dropped (its touched pages with it), as oxc-parser does with its own. */
const RAW_IDLE_MS = 10_000;
/** The most UTF-8 bytes a source may take in the buffer (TextEncoder writes at most 1 GiB at once): oxc-parser's limit. */
const MAX_RAW_SOURCE = 2 ** 30;

/**
 * oxc's raw transfer (the AST written by Rust into one buffer and decoded from it into objects,
 * with no JSON text made and parsed) where oxc-parser itself refuses it: Node 20. The package
 * needs Node 22+ only because a typed array over its 6 GiB buffer (a 2 GiB block aligned on
 * 4 GiB, somewhere in it) cannot be made before Node 22; the one such view it makes is the one
 * it passes to find the aligned block, so this passes a view of the buffer's first 4 GiB - 1
 * instead, which starts at the same address. The rest is oxc-parser's own (its binding's
 * `parseRawSync`, its deserializers), so the objects are those oxc-parser gives where it does
 * raw transfer (Node 22+, Deno 2+). The 6 GiB are address space: only the pages a parse writes
 * are memory, and the buffer is dropped after 10 s unused. Where it cannot be made (a limit on
 * address space), or a file is too long for it, the caller parses through JSON (`undefined`).
 * Synchronous parses only: on libuv's pool (the binding's `parseRaw`) it measured slower than
 * the JSON handover there (rxjs in Rolldown and Vite, paired: +21 to +66 ms).
 */
export class RawTransfer {
  private buffer: RawBuffer | undefined;
  private failed = false;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private readonly encoder = new TextEncoder();

  constructor(private readonly parts: OxcRawParts) {}

  /** Whether the buffer can be made here (tried at the first parse, or here). */
  available(): boolean {
    return this.take() !== undefined;
  }

  parseSync(filename: string, code: string, options: Record<string, unknown>): RawData | undefined {
    if (code.length * 3 > MAX_RAW_SOURCE) return undefined;
    const buffer = this.take();
    if (buffer === undefined) return undefined;
    const { ACTIVE_SIZE, IS_TS_FLAG_POS } = this.parts.constants;
    // The source as UTF-8 at the end of the buffer's active part, where oxc-parser puts it.
    const most = code.length * 3;
    const start = ACTIVE_SIZE - most;
    const { read, written } = this.encoder.encodeInto(code, new Uint8Array(buffer.buffer, buffer.byteOffset + start, most));
    if (read !== code.length) throw new Error(`oxc raw transfer: the source of ${code.length} characters did not fit its buffer`);
    this.parts.parseRawSync(filename, buffer.block, start, written, options);
    const data = this.parts.deserializer(buffer[IS_TS_FLAG_POS] !== 0 ? 'ts' : 'js')(buffer, code, start, written);
    this.keep();
    return data;
  }

  private take(): RawBuffer | undefined {
    if (this.buffer !== undefined || this.failed) return this.buffer;
    const { BLOCK_SIZE, BLOCK_ALIGN, BUFFER_SIZE } = this.parts.constants;
    let memory: ArrayBuffer;
    try {
      memory = new ArrayBuffer(BLOCK_SIZE + BLOCK_ALIGN);
    } catch {
      this.failed = true;
      return undefined;
    }
    // A view of at most 2^32 - 1 bytes (Node 20's largest typed array), from the buffer's start.
    const offset = this.parts.getBufferOffset(new Uint8Array(memory, 0, Math.min(memory.byteLength, 2 ** 32 - 1)));
    const buffer = new Uint8Array(memory, offset, BUFFER_SIZE) as RawBuffer;
    buffer.int32 = new Int32Array(memory, offset, BUFFER_SIZE / 4);
    buffer.float64 = new Float64Array(memory, offset, BUFFER_SIZE / 8);
    buffer.block = new Uint8Array(memory, offset, BLOCK_SIZE);
    this.keep();
    return (this.buffer = buffer);
  }

  /** The buffer (and the pages its parses wrote) is dropped once unused for RAW_IDLE_MS. */
  private keep(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.idle = undefined;
      this.buffer = undefined;
    }, RAW_IDLE_MS);
    (this.idle as { unref?: () => void }).unref?.();
  }
}

type OxcNode = { type: string; start: number; end: number; [key: string]: unknown };

/** Keys that only ever hold types: not converted (the walk never enters them). */
const TYPE_KEYS = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeParameters', 'superTypeArguments', 'implements']);

/** TypeScript nodes with runtime code in them (as sites.ts's TS_RUNTIME, plus oxc's own names). */
const TS_RUNTIME = new Set([
  'TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'TSInstantiationExpression',
  'TSParameterProperty', 'TSEnumDeclaration', 'TSEnumMember', 'TSEnumBody', 'TSModuleDeclaration', 'TSModuleBlock',
  'TSExportAssignment', 'TSAbstractMethodDefinition', 'TSAbstractPropertyDefinition', 'TSAbstractAccessorProperty',
]);

/** Node types that can become a site: they get Babel's `loc`. */
const SITE_TYPES = new Set([
  'ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement', 'FunctionDeclaration',
  'FunctionExpression', 'ArrowFunctionExpression', 'ObjectMethod', 'ClassMethod', 'ClassPrivateMethod', 'StaticBlock',
]);

let rawTransfer: boolean | undefined;

function oxcOptions(oxc: OxcParser, lang: OxcLang, module: boolean): Record<string, unknown> {
  rawTransfer ??= oxc.rawTransferSupported?.() === true;
  return {
    // Where the runtime allows it (Node 22+, Deno 2+; not Node 20, not Bun), the AST comes as
    // one buffer that JavaScript decodes into the same objects, instead of JSON to parse: on
    // Deno here, rxjs's sources parse in about a quarter of Babel's time this way, and in about
    // Babel's time through JSON.
    experimentalRawTransfer: rawTransfer,
    lang,
    sourceType: module ? 'module' : 'unambiguous',
    // Babel's default (`createParenthesizedExpressions: false`): no nodes for parentheses.
    preserveParens: false,
    // Without type annotations, TypeScript's AST is half the JSON (about 2.7 MB instead of 5.2
    // for rxjs's 0.8 MB of sources), which JSON.parse and the collector pay for. What the
    // analysis needs of what this drops, `declare`, is read back from the text (`declaredField`).
    astType: 'js',
    // Babel reports redeclarations and the like at parse time; oxc only in this extra pass.
    showSemanticErrors: true,
  };
}

/** False once oxc-parser's own raw transfer failed here (ownRawFailed); else whether it is used (undefined before the first parse). */
export const ownRawTransfer = (): boolean | undefined => rawTransfer;

/** Whether the program comes as JSON straight from the binding (see parseOxc). */
const fromBinding = (binding: OxcBinding | undefined): binding is OxcBinding => !rawTransfer && binding !== undefined;

/**
 * Parses `code` with oxc and returns Babel's `File` for it, or undefined when oxc reports an
 * error (the caller then parses with Babel, whose message and position are the ones reported).
 */
export function parseOxc(oxc: OxcParser, code: string, filename: string, lang: OxcLang, module: boolean, lines?: Lines, binding?: OxcBinding, raw?: RawTransfer): File | undefined {
  const options = oxcOptions(oxc, lang, module);
  if (raw !== undefined && !rawTransfer) {
    const data = raw.parseSync(filename, code, options);
    if (data !== undefined) return toBabel(data, code, lang, module, lines);
  }
  // The JSON straight from the binding, parsed here. The package's parseSync keeps the parsed
  // program in a wrapper (closures) beside the binding's result object, and that way every
  // young-generation collection during the walk found the AST alive and copied it: rxjs's 251
  // modules, parse alone, CPU 41-46 -> 25-27 ms (scavenges 113-128 -> 16-17 ms over 20 rounds).
  if (fromBinding(binding)) return fromJson(binding.parseSync(filename, code, options), code, lang, module, lines);
  try {
    return toBabel(oxc.parseSync(filename, code, options), code, lang, module, lines);
  } catch (error) {
    if (ownRawFailed(error)) return parseOxc(oxc, code, filename, lang, module, lines, binding, raw);
    throw error;
  }
}

/**
 * oxc-parser's own raw transfer (Node 22+, Deno 2+) throws a RangeError where its 6 GiB buffer
 * cannot be had (a limit on address space): from then on the AST comes as JSON.
 */
function ownRawFailed(error: unknown): boolean {
  if (rawTransfer !== true || !(error instanceof RangeError)) return false;
  rawTransfer = false;
  return true;
}

/**
 * parseOxc with oxc's parse on libuv's thread pool (its `parse`, where the package has it): so
 * that files a bundler hands over at once parse at once, while this thread works on others. The
 * same options and conversion, so the same `File`.
 */
export async function parseOxcAsync(oxc: OxcParser, code: string, filename: string, lang: OxcLang, module: boolean, lines?: Lines, binding?: OxcBinding): Promise<File | undefined> {
  const options = oxcOptions(oxc, lang, module);
  if (fromBinding(binding)) {
    if (binding.parse === undefined) return fromJson(binding.parseSync(filename, code, options), code, lang, module, lines);
    return fromJson(await binding.parse(filename, code, options), code, lang, module, lines);
  }
  let result: OxcResult;
  try {
    result = oxc.parse === undefined ? oxc.parseSync(filename, code, options) : await oxc.parse(filename, code, options);
  } catch (error) {
    if (ownRawFailed(error)) return parseOxcAsync(oxc, code, filename, lang, module, lines, binding);
    throw error;
  }
  return toBabel(result, code, lang, module, lines);
}

function fromJson(result: OxcBindingResult, code: string, lang: OxcLang, module: boolean, lines: Lines | undefined): File | undefined {
  if (result.errors.length > 0) return undefined;
  // The comments are read after the JSON is parsed (one more live array during JSON.parse
  // cost ~5 ms). `fixes` (the paths to BigInt and RegExp literals, whose `value` the wrapper
  // fills in) are not applied: only `regex` and `bigint` are read of those (literalType).
  const program = (JSON.parse(result.program) as { node: OxcNode }).node;
  return convert(program, result.comments, code, lang, module, lines);
}

function toBabel(result: OxcResult | RawData, code: string, lang: OxcLang, module: boolean, lines: Lines | undefined): File | undefined {
  if (result.errors.length > 0) return undefined;
  return convert(result.program, result.comments, code, lang, module, lines);
}

function convert(program: OxcNode, found: OxcComment[], code: string, lang: OxcLang, module: boolean, lines: Lines | undefined): File | undefined {
  const converter = new Converter(code, lang !== 'jsx', lines?.starts);
  converter.body(program, program.body as OxcNode[], true);
  if (!module && lang !== 'jsx') {
    // Babel's TypeScript plugin decides `unambiguous` its own way: an import or export anywhere
    // (inside `namespace` and `declare module` too), `export =` and `import x = require()` make a
    // module; `export as namespace` and `export import X = N.Y` do not. Where oxc's answer may
    // rest on those alone (or on a top-level await, which both count), Babel decides.
    if (converter.esm) program.sourceType = 'module';
    else if (program.sourceType === 'module' && converter.notEsm) return undefined;
  }
  const hashbang = (program.hashbang as OxcNode | null | undefined) ?? null;
  program.interpreter = hashbang;
  delete program.hashbang;
  // oxc lists the hashbang among the comments of JavaScript (not TypeScript); Babel never does.
  let comments = found;
  if (hashbang !== null && comments[0]?.start === hashbang.start) comments = comments.slice(1);
  for (const c of comments) (c as { type: string }).type = c.type === 'Line' ? 'CommentLine' : 'CommentBlock';
  return { type: 'File', program, comments, start: 0, end: code.length } as unknown as File;
}

class Converter {
  /** Seen: syntax that makes Babel's TypeScript `unambiguous` parse a module. */
  esm = false;
  /** Seen: module syntax for oxc that is not for Babel. */
  notEsm = false;

  constructor(
    private readonly code: string,
    private readonly typescript: boolean,
    private starts: number[] | undefined,
  ) {}

  /** `declare x: T` among a field's modifiers (after its decorators, before its key). */
  private declaredField(node: OxcNode): boolean {
    const decorators = node.decorators as OxcNode[] | undefined;
    const from = decorators?.length ? decorators[decorators.length - 1]!.end : node.start;
    const to = (node.key as OxcNode).start;
    return to - from >= 7 && /\bdeclare\b/.test(this.code.slice(from, to));
  }

  /** Line (1-based) and column (0-based) of `offset`, as Babel counts them. */
  private position(offset: number): { line: number; column: number; index: number } {
    const starts = (this.starts ??= splitLines(this.code).starts);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]!, index: offset };
  }

  private locate(node: OxcNode): void {
    node.loc = { start: this.position(node.start), end: this.position(node.end) };
  }

  /** A statement list; with `prologue`, its leading directives move to `directives`, as Babel has them. */
  body(owner: OxcNode, statements: OxcNode[], prologue: boolean): void {
    let first = 0;
    if (prologue) {
      const directives: unknown[] = [];
      for (; first < statements.length && typeof statements[first]!.directive === 'string'; first++) {
        const s = statements[first]!;
        const literal = s.expression as OxcNode;
        directives.push({ type: 'Directive', start: s.start, end: s.end, value: { type: 'DirectiveLiteral', start: literal.start, end: literal.end, value: s.directive } });
      }
      owner.directives = directives;
      if (first > 0) statements.splice(0, first);
    }
    for (let i = 0; i < statements.length; i++) statements[i] = this.node(statements[i]!);
  }

  private children(node: OxcNode): void {
    for (const key in node) {
      const value = node[key];
      if (value === null || typeof value !== 'object' || TYPE_KEYS.has(key)) continue;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const v = value[i] as OxcNode | null;
          if (v !== null && typeof v.type === 'string') value[i] = this.node(v);
        }
      } else if (typeof (value as OxcNode).type === 'string') {
        node[key] = this.node(value as OxcNode);
      }
    }
  }

  node(node: OxcNode): OxcNode {
    const type = node.type;
    switch (type) {
      case 'Literal':
        node.type = literalType(node);
        return node;
      case 'Identifier':
        // Parameter decorators (TypeScript) hang on the identifier, as in Babel.
        if ((node.decorators as unknown[] | undefined)?.length) this.children(node);
        return node;
      case 'ThisExpression':
      case 'Super':
      case 'TemplateElement':
      case 'JSXText':
      case 'JSXIdentifier':
      case 'EmptyStatement':
      case 'DebuggerStatement':
        return node;
      case 'PrivateIdentifier':
        return privateName(node);
      case 'Property':
        return this.property(node);
      case 'MethodDefinition':
      case 'TSAbstractMethodDefinition':
        return this.method(node);
      case 'VariableDeclaration':
      case 'ClassDeclaration':
        if (this.typescript && this.code.startsWith('declare', node.start)) node.declare = true;
        this.children(node);
        return node;
      case 'PropertyDefinition':
        if (this.typescript && this.declaredField(node)) node.declare = true;
      // falls through
      case 'TSAbstractPropertyDefinition':
        node.type = (node.key as OxcNode).type === 'PrivateIdentifier' ? 'ClassPrivateProperty' : 'ClassProperty';
        this.children(node);
        return node;
      case 'AccessorProperty':
      case 'TSAbstractAccessorProperty':
        node.type = 'ClassAccessorProperty';
        this.children(node);
        return node;
      case 'ChainExpression':
        return this.chain(node.expression as OxcNode);
      case 'ImportExpression': {
        const args = [node.source];
        if (node.options != null) args.push(node.options);
        const call: OxcNode = { type: 'CallExpression', start: node.start, end: node.end, callee: { type: 'Import', start: node.start, end: node.start + 6 }, arguments: args };
        this.children(call);
        return call;
      }
      case 'TSEnumDeclaration': {
        const body = node.body as OxcNode | undefined;
        if (body) {
          node.members = body.members;
          delete node.body;
        }
        this.children(node);
        return node;
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.fn(node);
        this.locate(node);
        return node;
      case 'Program':
        return node;
      case 'ExportNamedDeclaration':
        if ((node.declaration as OxcNode | null)?.type === 'TSImportEqualsDeclaration') {
          this.notEsm = true;
          return node;
        }
        this.esm = true;
        this.children(node);
        return node;
      case 'ImportDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
      case 'TSExportAssignment':
        this.esm = true;
        this.children(node);
        return node;
      case 'MetaProperty':
        if ((node.meta as OxcNode).name === 'import') this.esm = true;
        return node;
      case 'TSImportEqualsDeclaration':
        if ((node.moduleReference as OxcNode).type === 'TSExternalModuleReference') this.esm = true;
        return node;
      case 'TSNamespaceExportDeclaration':
        this.notEsm = true;
        return node;
      default:
        if (type.charCodeAt(0) === 84 /* T */ && type.startsWith('TS') && !TS_RUNTIME.has(type)) return node; // type-only
        this.children(node);
        if (SITE_TYPES.has(type)) this.locate(node);
        return node;
    }
  }

  /** A function's own parts: its body's directives go to `directives` (Babel's shape). */
  private fn(node: OxcNode): void {
    const params = node.params as OxcNode[];
    for (let i = 0; i < params.length; i++) params[i] = this.node(params[i]!);
    if (node.id) node.id = this.node(node.id as OxcNode);
    const body = node.body as OxcNode | null;
    if (body === null) return;
    if (body.type === 'BlockStatement') this.body(body, body.body as OxcNode[], true);
    else node.body = this.node(body);
    const decorators = node.decorators as OxcNode[] | undefined;
    if (decorators) for (let i = 0; i < decorators.length; i++) decorators[i] = this.node(decorators[i]!);
  }

  private property(node: OxcNode): OxcNode {
    const value = node.value as OxcNode;
    if (node.method === true || node.kind === 'get' || node.kind === 'set') {
      const method: OxcNode = {
        type: 'ObjectMethod',
        start: node.start,
        end: node.end,
        kind: node.kind === 'init' ? 'method' : node.kind,
        key: this.node(node.key as OxcNode),
        computed: node.computed,
        id: null,
        generator: value.generator,
        async: value.async,
        params: value.params,
        body: value.body,
        typeParameters: value.typeParameters,
        returnType: value.returnType,
      };
      this.fn(method);
      this.locate(method);
      return method;
    }
    node.type = 'ObjectProperty';
    node.key = this.node(node.key as OxcNode);
    node.value = this.node(value);
    return node;
  }

  private method(node: OxcNode): OxcNode {
    const value = node.value as OxcNode;
    const key = this.node(node.key as OxcNode);
    const method: OxcNode = {
      type: value.body == null ? 'TSDeclareMethod' : key.type === 'PrivateName' ? 'ClassPrivateMethod' : 'ClassMethod',
      start: node.start,
      end: node.end,
      decorators: node.decorators ?? [],
      static: node.static,
      key,
      computed: node.computed,
      kind: node.kind,
      id: null,
      generator: value.generator,
      async: value.async,
      params: value.params,
      body: value.body ?? null,
      typeParameters: value.typeParameters,
      returnType: value.returnType,
    };
    if (node.type === 'TSAbstractMethodDefinition') method.abstract = true;
    if (value.body == null) return method;
    this.fn(method);
    this.locate(method);
    return method;
  }

  /**
   * An optional chain: Babel makes every member access and call from the chain's end down to its
   * last `?.` optional (`a?.b.c()`: all three; `a.b?.c`: the outer one), through `!` in TypeScript.
   */
  private chain(expression: OxcNode): OxcNode {
    let last: OxcNode | undefined;
    for (let n: OxcNode | undefined = expression; n !== undefined; n = spineNext(n)) if (n.optional === true) last = n;
    for (let n: OxcNode | undefined = expression; n !== undefined && last !== undefined; n = spineNext(n)) {
      if (n.type === 'MemberExpression') n.type = 'OptionalMemberExpression';
      else if (n.type === 'CallExpression') n.type = 'OptionalCallExpression';
      if (n === last) break;
    }
    return this.node(expression);
  }
}

function spineNext(n: OxcNode): OxcNode | undefined {
  switch (n.type) {
    case 'MemberExpression':
      return n.object as OxcNode;
    case 'CallExpression':
      return n.callee as OxcNode;
    case 'TSNonNullExpression':
      return n.expression as OxcNode;
    default:
      return undefined;
  }
}

function literalType(node: OxcNode): string {
  const value = node.value;
  switch (typeof value) {
    case 'string':
      return 'StringLiteral';
    case 'number':
      return 'NumericLiteral';
    case 'boolean':
      return 'BooleanLiteral';
    case 'bigint':
      return 'BigIntLiteral';
    default:
      if (node.regex != null) return 'RegExpLiteral';
      if (node.bigint != null) return 'BigIntLiteral';
      return 'NullLiteral';
  }
}

function privateName(node: OxcNode): OxcNode {
  return { type: 'PrivateName', start: node.start, end: node.end, id: { type: 'Identifier', start: node.start + 1, end: node.end, name: node.name } };
}
