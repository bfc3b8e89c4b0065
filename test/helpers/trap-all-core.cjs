// Shared by trap-all.mjs and trap-all.cjs. Not instrumented.
'use strict';

function installTrapAll({ flags, setTrapHandler, moduleOf, writeFileSync }) {
  let traps = 0;
  const problems = [];
  /** thunk -> { file, hits: Uint8Array } */
  const seen = new Map();
  setTrapHandler((thunk, site, locals) => {
    traps++;
    let entry = seen.get(thunk);
    if (entry === undefined) {
      const mod = moduleOf(thunk);
      entry = { mod, hits: new Uint8Array(mod.sites.length) };
      seen.set(thunk, entry);
    }
    const info = entry.mod.sites[site];
    if (info === undefined) {
      if (problems.length < 20) problems.push(`${entry.mod.file}: trap for unknown site ${site}`);
    } else {
      entry.hits[site] = 1;
      // The check passes `this` after the locals where the table says so.
      const expected = info.locals.length + (info.capturesThis ? 1 : 0);
      if (!Array.isArray(locals) || expected !== locals.length) {
        if (problems.length < 20) problems.push(`${entry.mod.file}: site ${site} passed ${Array.isArray(locals) ? locals.length : typeof locals} locals, table lists ${expected}`);
      }
    }
    return Array.isArray(locals) ? locals.slice() : undefined;
  });
  flags[0] = 1;
  const statsFile = process.env.TRAPDOOR_TEST_STATS;
  if (statsFile) {
    process.on('exit', () => {
      const modules = [];
      for (const { mod, hits } of seen.values()) {
        let hit = 0;
        for (const h of hits) hit += h;
        modules.push({ file: mod.file, sites: mod.sites.length, hit });
      }
      writeFileSync(statsFile, JSON.stringify({ traps, problems, modules }));
    });
  }
}

module.exports = { installTrapAll };
