/**
 * Float64 arrays handed from one computation to the next instead of allocated again: the first
 * certificate of a run checks the declared structure (three arrays of the state's size) and then
 * builds the shift-class rows (three more), and on the shared VM fresh memory costs more than the
 * passes that fill it (~4 ms per MB in page faults). A taker writes every entry before it reads one.
 */
export class ArrayPool {
  private readonly free: Float64Array[] = [];

  /** An array of `length` entries (contents unspecified), from the pool when it holds one. */
  take(length: number): Float64Array {
    const i = this.free.findIndex((a) => a.length === length);
    return i >= 0 ? this.free.splice(i, 1)[0] : new Float64Array(length);
  }

  /** How many arrays of `length` entries the pool holds. */
  count(length: number): number {
    return this.free.filter((a) => a.length === length).length;
  }

  /** Returns arrays for the next taker. */
  give(...arrays: Float64Array[]): void {
    this.free.push(...arrays);
  }

  /** Lets the arrays go. */
  clear(): void {
    this.free.length = 0;
  }
}
