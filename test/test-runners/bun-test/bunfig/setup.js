globalThis.bunfigPreloaded = true;
