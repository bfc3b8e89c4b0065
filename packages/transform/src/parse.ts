/**
 * Parsing: which @babel/parser plugins a file needs (by its extension), and syntax errors turned
 * into one clear error with file, line, column and a code frame.
 */
import { parse as babelParse, type ParserPlugin } from '@babel/parser';
import { createRequire } from 'node:module';
import type { File } from '@babel/types';
import { TransformError } from './errors.js';

export type ModuleType = 'esm' | 'cjs';
export type Language = 'js' | 'ts';

export interface Parsed {
  ast: File;
  moduleType: ModuleType;
  language: Language;
}

const EXTENSION = /\.([cm]?[jt]sx?)$/i;

/** The plugins a file's extension calls for. Flow only with an `@flow` pragma, as babel-preset-flow does. */
function pluginsFor(filename: string, code: string, given: Language | undefined): { plugins: ParserPlugin[]; language: Language } {
  const ext = EXTENSION.exec(filename)?.[1]?.toLowerCase() ?? 'js';
  const typescript = given === undefined ? ext === 'ts' || ext === 'mts' || ext === 'cts' || ext === 'tsx' : given === 'ts';
  if (typescript) return { plugins: ext === 'tsx' || ext === 'jsx' ? ['typescript', 'jsx'] : ['typescript'], language: 'ts' };
  // .js, .jsx, .mjs, .cjs: JSX is unambiguous in JavaScript, so always on.
  const plugins: ParserPlugin[] = ['jsx'];
  if (/@flow\b/.test(code.slice(0, 2048))) plugins.push('flow');
  return { plugins, language: 'js' };
}

function moduleTypeFromExtension(filename: string): ModuleType | undefined {
  const ext = EXTENSION.exec(filename)?.[1]?.toLowerCase();
  if (ext === 'mjs' || ext === 'mts') return 'esm';
  if (ext === 'cjs' || ext === 'cts') return 'cjs';
  return undefined;
}

export function parse(code: string, filename: string, moduleType: ModuleType | undefined, withComments: boolean, given?: Language): Parsed {
  const { plugins, language } = pluginsFor(filename, code, given);
  const known = moduleType ?? moduleTypeFromExtension(filename);
  try {
    const ast = babelParse(code, {
      sourceFilename: filename,
      // Parse by the file's own syntax: a module if it has import/export (or top-level await),
      // else a script. `moduleType` says how the runtime is imported, which can differ: TypeScript
      // written with import/export is often compiled to CommonJS.
      sourceType: known === 'esm' ? 'module' : 'unambiguous',
      // CommonJS modules may `return` at the top level.
      allowReturnOutsideFunction: known !== 'esm',
      allowAwaitOutsideFunction: known === 'esm',
      // Comments are only needed for `// trapdoor-ignore-next`; attaching them costs time.
      attachComment: withComments,
      errorRecovery: false,
      // Syntax engines accept that Babel keeps behind flags: `import … assert {}` (Node 20 runs it),
      // auto-accessors (TypeScript 4.9+), `using` declarations.
      plugins: [...plugins, 'decorators-legacy', 'decoratorAutoAccessors', 'deprecatedImportAssert', 'explicitResourceManagement'],
    });
    const resolved: ModuleType = known ?? (ast.program.sourceType === 'module' ? 'esm' : 'cjs');
    return { ast, moduleType: resolved, language };
  } catch (error) {
    throw syntaxError(error, code, filename);
  }
}

function syntaxError(error: unknown, code: string, filename: string): TransformError {
  const e = error as { message?: string; loc?: { line: number; column: number } };
  if (!e || typeof e.loc?.line !== 'number') throw error;
  const { line, column } = e.loc;
  const reason = String(e.message).replace(/\s*\(\d+:\d+\)$/, '');
  // Loaded only for an error: it costs start-up time every instrumenting process would pay.
  const { codeFrameColumns } = createRequire(import.meta.url)('@babel/code-frame') as typeof import('@babel/code-frame');
  const frame = codeFrameColumns(code, { start: { line, column: column + 1 } }, { highlightCode: false });
  return new TransformError('ERR_TRAPDOOR_SYNTAX', `${filename}:${line}:${column + 1}: ${reason}\n${frame}`, {
    file: filename,
    line,
    column,
  });
}
