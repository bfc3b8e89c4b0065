const { parse } = require('./parse');
console.log(parse('1'));
