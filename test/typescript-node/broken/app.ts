import { parse } from './parse.ts';
console.log(parse('1'));
