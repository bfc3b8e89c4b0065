export function spin(limit) {
  let i = 0;
  while (true) {
    i++;
    if (i === limit) i = 0;
  }
}
