// Preload (`node --import`): makes every check take the slow path. The handler returns a copy of
// the captured locals, so every check writes identical values back to its let/var/parameter
// bindings. A TDZ read, a write to a const, or a wrong capture shows up as a behaviour change.
// Statistics go to the file named by TRAPDOOR_TEST_STATS (if set) when the process exits.
import { flags, setTrapHandler, moduleOf } from '@trapdoor-js/runtime';
import { writeFileSync } from 'node:fs';
import { installTrapAll } from './trap-all-core.cjs';

installTrapAll({ flags, setTrapHandler, moduleOf, writeFileSync });
