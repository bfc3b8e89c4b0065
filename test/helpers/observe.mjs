// Preload (`node --import`): changes nothing (flags stay 0), but records which instrumented
// modules registered, so a test can prove the instrumented copy (not the original) was loaded.
// Writes { modules: [{ file, sites }] } to TRAPDOOR_TEST_STATS at exit.
import { allModules } from '@trapdoor-js/runtime';
import { writeFileSync } from 'node:fs';

const statsFile = process.env.TRAPDOOR_TEST_STATS;
if (statsFile) {
  process.on('exit', () => {
    writeFileSync(statsFile, JSON.stringify({ traps: 0, problems: [], modules: allModules().map((m) => ({ file: m.file, sites: m.sites.length, hit: 0 })) }));
  });
}
