const config = {};
for (const name of config.names) {
  console.log(name);
}
