// Spins until a debugger sets `found`: the condition can never become true by itself.
export function spin(limit: number): number {
  let attempts = 0;
  let found: number | null = null;
  while (found === null) {
    attempts++;
    if (attempts % limit === -1) found = attempts;
  }
  return found;
}
