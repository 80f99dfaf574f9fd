/**
 * The last `keep` items of a sequence and how many there were: what a long run keeps in memory of
 * its events and certificates (the capsule records them all).
 */
export class Recent<T> {
  private list: T[] = [];
  /** Items pushed so far (kept or not). */
  count = 0;

  constructor(readonly keep: number) {}

  push(item: T): void {
    this.list.push(item);
    this.count++;
    // trimmed in batches: amortised O(1) per push
    if (this.list.length >= 2 * this.keep) this.list.splice(0, this.list.length - this.keep);
  }

  /** The kept items, oldest first. */
  get items(): T[] {
    if (this.list.length > this.keep) this.list.splice(0, this.list.length - this.keep);
    return this.list;
  }

  get last(): T | undefined {
    return this.list[this.list.length - 1];
  }
}
