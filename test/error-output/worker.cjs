const { Worker, isMainThread } = require('node:worker_threads');
if (isMainThread) {
  new Worker(__filename);
} else {
  const items = [1, 2];
  for (const item of items) {
    if (item === 2) throw new Error('in a worker ' + item);
  }
}
