// A bounded memo with O(1) work per access. Evicting the oldest entry of one Map with
// `map.delete(map.keys().next().value)` is not O(1) in V8: the deleted slots stay in the
// table and every `keys().next()` walks past them, so a file with 100,000 distinct regexes
// spent minutes there. Two generations instead: when the young one is full it becomes the
// old one and the previous old one is dropped whole; a hit in the old one is moved back.
export class BoundedCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  /** Holds between `limit` and `2 * limit` of the most recently used entries. */
  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
