export function add(a, b) {
  return a + b;
}

export function spin(limit) {
  let i = 0;
  while (true) {
    i++;
    if (i === limit) i = 0;
  }
}
