// Spins until a debugger sets `found`, or until a deadline stops it (a limit of 0 never ends by itself).
function spin(limit) {
  let attempts = 0;
  let found = null;
  while (found === null) {
    attempts++;
    if (limit > 0 && attempts % limit === -1) found = attempts;
  }
  return found;
}
module.exports = { spin };
