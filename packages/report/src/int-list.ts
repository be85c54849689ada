/**
 * A growable list of 32-bit integers in a typed array: the positions of thousands of
 * notes or links, kept for the end of a sheet without one JavaScript value each for
 * the garbage collector to trace and promote while the rows are written.
 */
export class IntList {
  private items = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = value;
  }

  at(index: number): number {
    return this.items[index] ?? 0;
  }
}
