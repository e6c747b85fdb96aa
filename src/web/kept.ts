/**
 * Values made once for a key and kept, the least recently used dropped first beyond `capacity`.
 * A kept promise that fails is dropped, so the next ask makes it again.
 */
export class Kept<T> {
  private readonly values = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string, make: () => T): T {
    const kept = this.values.get(key);
    if (kept !== undefined) {
      this.values.delete(key);
      this.values.set(key, kept);
      return kept;
    }
    const made = make();
    this.values.set(key, made);
    if (made instanceof Promise) made.catch(() => this.values.get(key) === made && this.values.delete(key));
    while (this.values.size > this.capacity) this.values.delete(this.values.keys().next().value!);
    return made;
  }
}
