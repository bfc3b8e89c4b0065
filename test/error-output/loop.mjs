let total = 0;
const items = [1, 2, 3, null];
for (const item of items) {
  total += item.valueOf();
}
console.log(total);
