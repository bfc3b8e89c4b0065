const { parse } = require('./parse.cts');
console.log(parse('1'));
