// The file ends in a line comment with no newline after it: anything appended after the
// last character lands inside the comment unless a newline comes first.
let total = 0
for (let i = 0; i < 4; i++) total += i
function late() { return 'hoisted ' + total }
console.log(late())
console.log('done') // last line, no newline at end of file