// The file ends inside a block comment's line, a hashbang-free script with an unterminated-looking last statement.
const parts = []
for (const p of ['a', 'b']) parts.push(p)
console.log(parts.join('+'))
console.log('end')/* trailing block comment, no newline */