// `trapdoor-ignore-next` skips the next statement/expression and everything inside it.
// trapdoor-ignore-next
function skipped() { let s = ''; for (let i = 0; i < 2; i++) s += [i].map((x) => x * 2); return s; }
const kept = () => {
  let r = 0;
  // trapdoor-ignore-next
  for (let i = 0; i < 3; i++) { r += [i].map((x) => x).length; }
  while (r < 5) r++;
  return r;
};
const obj = {
  // trapdoor-ignore-next
  ignoredMethod() { for (;;) return 'ignored method'; },
  keptMethod() { return 'kept method'; },
};
console.log(skipped(), kept(), obj.ignoredMethod(), obj.keptMethod());
