// Parameter properties (transform mode), in a .cts file.
class Counter<K> {
  constructor(private readonly counts: Map<K, number> = new Map()) {}

  add(key: K): this {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return this;
  }

  toString(): string {
    return [...this.counts].map(([k, n]) => `${String(k)}=${n}`).join(' ');
  }
}

module.exports = { Counter };
