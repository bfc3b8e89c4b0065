// Parsing and summing up an access log (one request per line: method path status milliseconds).

export interface Entry {
  method: string;
  path: string;
  status: number;
  ms: number;
}

export interface Summary {
  errors: number;
  slowest: Entry | undefined;
  byPath: Map<string, number>;
}

export function parseLog(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [method, path, status, ms] = line.trim().split(/\s+/);
    entries.push({ method: method!, path: path!, status: Number(status), ms: Number(ms) });
  }
  return entries;
}

export function summarize(entries: readonly Entry[]): Summary {
  const byPath = new Map<string, number>();
  let errors = 0;
  let slowest: Entry | undefined;
  for (const entry of entries) {
    byPath.set(entry.path, (byPath.get(entry.path) ?? 0) + 1);
    if (entry.status >= 500) errors++;
    if (slowest === undefined || entry.ms > slowest.ms) slowest = entry;
  }
  return { errors, slowest, byPath };
}
