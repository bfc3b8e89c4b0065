const values = [1, 2, null];
const describe = (value) =>
  `${value.toFixed(1)} units`;
for (const value of values)
  console.log(describe(value));
