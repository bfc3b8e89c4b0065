function later() {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

async function main() {
  await later();
  throw new Error('after a turn of the event loop');
}

main();
