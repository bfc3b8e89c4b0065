import { basename } from 'node:path';
const files = ['a.txt', null];

for (const file of files) {
  console.log(basename(file));
}
