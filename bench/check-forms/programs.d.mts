// Types for programs.mjs (plain ESM, shared by bench/check-forms/run.mjs and the tests).
export interface Form {
  id: string;
  label: string;
  code: string;
  check(site: number, locals: string): string;
}
export type Runtime = 'node' | 'bun' | 'deno';
export type Binding = 'const' | 'import';
export const FORMS: Form[];
export const CURRENT_FORM: string;
export const V8_FORM: string;
export const V8_RUNTIMES: Runtime[];
export function formById(id: string): Form;
export const BINDINGS: { id: Binding; label: string }[];
export const RUNTIMES: Runtime[];
export const WORKLOADS: { id: string; label: string; unit: string }[];
export function runtimeCommand(runtime: Runtime, file: string): [string, string[]];
export function benchProgram(options: { form: string | Form; binding: Binding; targetMs?: number; reps?: number }): Record<string, string>;
export function fireProgram(options: {
  form: string | Form;
  binding: Binding;
  delayMs?: number;
  warmIterations?: number;
  warmRounds?: number;
  watchdogMs?: number;
}): Record<string, string>;
export interface WorkDir {
  dir: string;
  write(name: string, files: Record<string, string>): string;
  dispose(): void;
}
export function makeWorkDir(prefix?: string): WorkDir;
export function killAll(): void;
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}
export function runProgram(runtime: Runtime, file: string, options?: { timeoutMs?: number }): Promise<RunResult>;
export interface FireResult extends RunResult {
  fired: boolean;
  latencyMs?: number;
  file: string;
}
export function checkFires(
  work: WorkDir,
  runtime: Runtime,
  form: string,
  binding: Binding,
  options?: { timeoutMs?: number; delayMs?: number; warmIterations?: number; warmRounds?: number; watchdogMs?: number },
): Promise<FireResult>;
