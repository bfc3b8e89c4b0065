const items = [1, 2, 3];
items.forEach((item) => {
  if (item === 3) {
    throw new TypeError('bad item ' + item);
  }
});
