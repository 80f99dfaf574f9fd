/**
 * Allocator for the kernel's linear memory above the module's static data. Blocks are 16-byte
 * aligned (one v128) and reused first-fit from a free list kept sorted and coalesced; when
 * nothing fits, the top grows and the memory with it. A run allocates a few dozen buffers once,
 * so linear scans are the right trade.
 */
const ALIGN = 16;
const PAGE = 65536;

interface Block {
  offset: number;
  size: number;
}

export interface ArenaStats {
  bytesInUse: number;
  bytesFree: number;
  blocksInUse: number;
  top: number;
  memoryBytes: number;
}

export class Arena {
  private readonly free: Block[] = [];
  private readonly used = new Map<number, number>();
  private top: number;

  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = alignUp(base);
  }

  /** Returns the byte offset of a zeroed block of at least `bytes` bytes. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`arena.alloc: expected a non-negative integer byte count, found ${bytes}`);
    const size = Math.max(ALIGN, alignUp(bytes));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size < size) continue;
      const offset = b.offset;
      if (b.size === size) this.free.splice(i, 1);
      else {
        b.offset += size;
        b.size -= size;
      }
      this.used.set(offset, size);
      return this.zeroed(offset, size);
    }
    const offset = this.top;
    const end = offset + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    this.used.set(offset, size);
    return this.zeroed(offset, size); // bytes above the top may be left from a released block
  }

  private zeroed(offset: number, size: number): number {
    new Uint8Array(this.memory.buffer, offset, size).fill(0);
    return offset;
  }

  release(offset: number): void {
    const size = this.used.get(offset);
    if (size === undefined) throw new Error(`arena.release: no live block at offset ${offset} (double free?)`);
    this.used.delete(offset);
    if (offset + size === this.top) {
      this.top = offset;
      // the block below the top may now be free too
      const last = this.free[this.free.length - 1];
      if (last && last.offset + last.size === this.top) {
        this.top = last.offset;
        this.free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free.length && this.free[i].offset < offset) i++;
    this.free.splice(i, 0, { offset, size });
    const next = this.free[i + 1];
    if (next && offset + size === next.offset) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.offset + prev.size === offset) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  stats(): ArenaStats {
    let bytesInUse = 0;
    for (const s of this.used.values()) bytesInUse += s;
    let bytesFree = 0;
    for (const b of this.free) bytesFree += b.size;
    return { bytesInUse, bytesFree, blocksInUse: this.used.size, top: this.top, memoryBytes: this.memory.buffer.byteLength };
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
