// Parameter properties (transform mode) and an extensionless import of it ('./counter'), as tsx resolves it.
export class Counter<K> {
  constructor(private readonly counts: Map<K, number> = new Map()) {}

  add(key: K): this {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return this;
  }

  toString(): string {
    return [...this.counts].map(([k, n]) => `${String(k)}=${n}`).join(' ');
  }
}
