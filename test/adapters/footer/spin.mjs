// Spins until a debugger sets `found` (a limit of -1 returns at once).
export function spin(limit) {
  let attempts = 0;
  let found = limit < 0 ? limit : null;
  while (found === null) {
    attempts++;
    if (attempts % limit === -1) found = attempts;
  }
  return found;
}
