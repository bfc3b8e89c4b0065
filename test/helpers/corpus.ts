/**
 * Helpers for the semantic-preservation tests: an independent site counter (our own Babel
 * visitor, not the transform's), TypeScript stripping, and child-process runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, type ParserPlugin } from '@babel/parser';
import traverseModule, { type NodePath } from '@babel/traverse';
import type * as t from '@babel/types';
import ts from 'typescript';

// @babel/traverse is CommonJS; depending on the loader its default export may be wrapped.
const traverse = ((traverseModule as unknown as { default?: typeof traverseModule }).default ?? traverseModule) as typeof traverseModule;

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS_DIR = path.join(ROOT, 'test/corpus');
export const TMP_DIR = path.join(ROOT, 'test/.tmp');
export const HELPERS_DIR = path.join(ROOT, 'test/helpers');
export const TRAP_ALL_ESM = path.join(HELPERS_DIR, 'trap-all.mjs');
export const TRAP_ALL_CJS = path.join(HELPERS_DIR, 'trap-all.cjs');

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  return ensureDir(dir);
}

const TS_EXT = /\.(ts|mts|cts|tsx)$/;
export const isTypeScript = (file: string): boolean => TS_EXT.test(file);
/** Files that must be compiled (types stripped, JSX lowered) before Node can run them. */
export const needsCompile = (file: string): boolean => /\.(ts|mts|cts|tsx|jsx)$/.test(file);

/** Parser options for a file, chosen the way the contract describes (extension → plugins). */
export function parserOptions(filename: string): Parameters<typeof parse>[1] {
  const ext = path.extname(filename);
  const plugins: ParserPlugin[] = [];
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') plugins.push('typescript', 'decorators', 'decoratorAutoAccessors');
  else if (ext === '.tsx') plugins.push('typescript', 'jsx', 'decorators', 'decoratorAutoAccessors');
  else plugins.push('jsx');
  plugins.push('deprecatedImportAssert');
  // .cjs is a script (HTML-like comments, top-level return); TypeScript files always allow
  // import/export syntax (`import x = require()` / `export =` in .cts compile to CommonJS).
  const sourceType = ext === '.cjs' || ext === '.js' ? 'script' : 'module';
  return { sourceType, plugins, allowReturnOutsideFunction: true, errorRecovery: false };
}

export function parseFile(code: string, filename: string): t.File {
  return parse(code, parserOptions(filename)) as unknown as t.File;
}

export interface ExpectedSite {
  kind: 'loop' | 'function';
  line: number;
  column: number;
}

const IGNORE_NEXT = 'trapdoor-ignore-next';
const IGNORE_FILE = 'trapdoor-ignore-file';

function hasIgnoreNext(node: t.Node): boolean {
  return (node.leadingComments ?? []).some((c) => c.value.trim() === IGNORE_NEXT);
}

export function hasIgnoreFile(ast: t.File): boolean {
  return (ast.comments ?? []).some((c) => c.type === 'CommentBlock' && c.value.trim() === IGNORE_FILE);
}

/**
 * Every loop and every function-like node, counted with our own visitor: the sites the transform
 * should report. Honours the two ignore comments as the contract describes them.
 */
export function expectedSites(code: string, filename: string): ExpectedSite[] {
  const ast = parseFile(code, filename);
  if (hasIgnoreFile(ast)) return [];
  const sites: ExpectedSite[] = [];
  traverse(ast, {
    enter(p: NodePath) {
      const node = p.node;
      // Nothing inside `with` (the transform's contract: every identifier there, the check's
      // own included, is looked up on the object first, which a Proxy can observe).
      if (hasIgnoreNext(node) || node.type === 'WithStatement') {
        if (node.type === 'WithStatement') p.get('object').traverse({ enter: (q) => { const e = expectedFor(q.node); if (e) sites.push(e); } });
        p.skip();
        return;
      }
      const site = expectedFor(node);
      if (site) sites.push(site);
    },
  });
  return sites;
}

function expectedFor(node: t.Node): ExpectedSite | null {
      let kind: ExpectedSite['kind'] | null = null;
      switch (node.type) {
        case 'ForStatement':
        case 'ForInStatement':
        case 'ForOfStatement':
        case 'WhileStatement':
        case 'DoWhileStatement':
          kind = 'loop';
          break;
        case 'FunctionDeclaration':
        case 'FunctionExpression':
        case 'ArrowFunctionExpression':
        case 'ObjectMethod':
        case 'ClassMethod':
        case 'ClassPrivateMethod':
        case 'StaticBlock':
          kind = 'function';
          break;
        // TSDeclareFunction / TSDeclareMethod (overload signatures, abstract and `declare`d
        // members) have no body and are deliberately not listed.
      }
      return kind === null ? null : { kind, line: node.loc!.start.line, column: node.loc!.start.column };
}

/** Directive prologues (program first, then every function that has one), in source order. */
export function directivePrologues(code: string, filename: string): string[][] {
  const ast = parseFile(code, filename);
  const lists: string[][] = [ast.program.directives.map((d) => d.value.value)];
  traverse(ast, {
    Function(p: NodePath<t.Function>) {
      const body = p.node.body;
      if (body.type === 'BlockStatement' && body.directives.length > 0) lists.push(body.directives.map((d) => d.value.value));
    },
  });
  return lists;
}

/**
 * How often the code mentions things a check must never add: arguments, this, super, new.target,
 * eval. (import.meta is not counted: the module header may legitimately pass import.meta.url.)
 */
export function sensitiveMentions(code: string, filename: string): Record<string, number> {
  const ast = parseFile(code, filename);
  const counts = { arguments: 0, this: 0, super: 0, 'new.target': 0, eval: 0 };
  traverse(ast, {
    Identifier(p: NodePath<t.Identifier>) {
      if (p.node.name === 'arguments' && p.isReferencedIdentifier()) counts.arguments++;
      if (p.node.name === 'eval' && p.isReferencedIdentifier()) counts.eval++;
    },
    ThisExpression() {
      counts.this++;
    },
    Super() {
      counts.super++;
    },
    MetaProperty(p: NodePath<t.MetaProperty>) {
      if (p.node.meta.name === 'new') counts['new.target']++;
    },
  });
  return counts;
}

export type ModuleType = 'esm' | 'cjs';

/** What a compiled TS/JSX corpus file is called once Node can run it. */
export function runnableName(file: string, moduleType: ModuleType): string {
  if (!needsCompile(file)) return file;
  return file.replace(/\.(ts|mts|cts|tsx|jsx)$/, moduleType === 'esm' ? '.mjs' : '.cjs');
}

/** The module type Node will use for a corpus file (by extension; .ts/.tsx/.jsx: by syntax). */
export function moduleTypeOf(code: string, file: string): ModuleType {
  if (/\.(mjs|mts)$/.test(file)) return 'esm';
  if (/\.(cjs|cts)$/.test(file)) return 'cjs';
  const ast = parseFile(code, file);
  const esm = ast.program.body.some((s) => s.type === 'ImportDeclaration' || s.type.startsWith('Export'));
  return esm ? 'esm' : 'cjs';
}

/** Strips types / lowers JSX with TypeScript's single-file transpiler (same options for both runs). */
export function transpile(code: string, file: string, moduleType: ModuleType): string {
  const result = ts.transpileModule(code, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: moduleType === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      jsx: ts.JsxEmit.React,
      jsxFactory: 'h',
      jsxFragmentFactory: 'Fragment',
      useDefineForClassFields: true,
      allowJs: true,
    },
  });
  const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(`${file}: TypeScript could not transpile:\n${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n')}`);
  }
  return result.outputText;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  timeout?: number;
  cwd?: string;
  /** Replaced by `<dir>` in stdout/stderr (both plain and file:// forms). */
  normalize?: string[];
}

export function runNode(args: string[], options: RunOptions = {}): RunResult {
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NO_COLOR: '1', ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  let stdout = r.stdout ?? '';
  let stderr = r.stderr ?? '';
  for (const dir of options.normalize ?? []) {
    for (const form of [pathToFileURL(dir).href, dir]) {
      stdout = stdout.split(form).join('<dir>');
      stderr = stderr.split(form).join('<dir>');
    }
  }
  // Node prefixes warnings with its pid: `(node:1234) …`.
  stderr = stderr.replace(/\((node|bun|deno):\d+\)/g, '($1:<pid>)');
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') stderr += `\n[test harness: timed out after ${options.timeout ?? 60_000} ms]`;
  return { code: r.status, signal: r.signal, stdout, stderr };
}

/** Node arguments that run `file` with every check trapping (mode c). */
export function trapAllArgs(file: string): string[] {
  return file.endsWith('.cjs') ? ['-r', TRAP_ALL_CJS, file] : ['--import', pathToFileURL(TRAP_ALL_ESM).href, file];
}

export interface TrapStats {
  traps: number;
  problems: string[];
  modules: Array<{ file: string; sites: number; hit: number }>;
}

export function readStats(file: string): TrapStats | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as TrapStats;
  } catch {
    return null;
  }
}

export function writeFile(file: string, text: string): void {
  ensureDir(path.dirname(file));
  writeFileSync(file, text);
}
