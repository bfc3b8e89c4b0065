// The resolve hook of module-log.mjs: runs on the loader's own thread, in the process it logs.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (file) appendFileSync(file, `${process.pid} ${resolved.url}\n`);
  return resolved;
}
