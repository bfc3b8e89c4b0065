// CommonJS that no transform of the project's matches: Jest loads it as it is.
function sum(values) {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function unused() {
  return 'never called';
}

// An arrow with an expression body (its check is an expression), a method with a brace-less loop body.
const doubled = (values) => values.map((value) => value * 2);

class Counter {
  count(limit) {
    let n = 0;
    while (n < limit) n++;
    return n;
  }
}

// A braced loop body followed by more code, a method call in the loop.
function ancestors(node, sorted) {
  const names = [];
  for (let at = node.parent; at; at = at.parent) {
    const visible = at.names.filter((name) => !name.startsWith('_'));
    names.push(...visible);
  }
  if (sorted) {
    names.sort();
  }
  return names;
}

module.exports = { sum, fib, unused, doubled, Counter, ancestors };
