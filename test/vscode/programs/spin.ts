// TypeScript, run as is by Bun (test/e2e-vscode.test.ts): the debugger must show this file's lines.
interface Settings {
  limit: number;
  label: string;
}

const settings: Settings = { limit: 1000, label: 'spin' };

function spin(limit: number): number | null {
  let attempts: number = 0;
  let found: number | null = null;
  while (found === null) {
    attempts++;
    if (attempts % limit === -1) found = attempts;
  }
  return found;
}

console.log('spinning');
const found: number | null = spin(settings.limit);
console.log(`found ${found !== null && found > 0 ? 'a positive number' : found}`);
