// The ES module twin of attach-plain.cjs: no loop, no function, nothing for the transform to
// instrument, so it never imports trapdoor's runtime itself.
import process from 'node:process';
setTimeout(console.log, 1e9, 'x');
console.log('plain', process.argv.length > 1);
