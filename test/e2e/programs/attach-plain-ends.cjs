// Plain statements that end by themselves (no loop, no function: nothing is instrumented, the
// runtime is loaded by trapdoor run's loader only). Its output and exit status must be the plain run's.
setTimeout(console.log, 10, 'timer', 1, 2);
process.exitCode = 3;
console.log('plain', typeof module, require.main === module);
