/* trapdoor-ignore-file */
// The whole file is left alone.
let n = 0
for (let i = 0; i < 3; i++) n += i
const f = () => { while (n < 10) n++; return n }
console.log('ignored file', f())
