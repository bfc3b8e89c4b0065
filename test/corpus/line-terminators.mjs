// Unusual line terminators: U+2028 and U+2029 inside strings and comments (both are line
// terminators for JavaScript, V8 and Babel, but not for tools that split on \n only), and
// lone CR line breaks.
const ls = 'a b';
const ps = "c d";
/* a comment with a line separator   inside it */
function afterSeparators(n) {
  let out = [];
  for (let i = 0; i < n; i++) out.push(i);
  return out.join(',');
}
/* block comment   with a paragraph separator */ const arrow = (x) => { while (x > 0) x--; return x; };
const afterLoneCR = () => { for (const c of 'ab') return c; };console.log(ls.length, ps.length, afterSeparators(3), arrow(5), afterLoneCR());
