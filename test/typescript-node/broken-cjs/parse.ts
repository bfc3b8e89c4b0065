function parse(text: string): number {
  const value: = Number(text);
  return value;
}
module.exports = { parse };
