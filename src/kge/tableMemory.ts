/**
 * Where the training tables live. The scalar engine keeps them in ordinary typed arrays (over
 * SharedArrayBuffers when worker threads share them); the SIMD kernels can only reach their WebAssembly
 * module's linear memory, so there every table is carved out of one shared `WebAssembly.Memory`, which
 * JavaScript sees through typed-array views and worker threads receive whole.
 */

export interface TableAllocator {
  float32(length: number): Float32Array;
  float64(length: number): Float64Array;
  int32(length: number): Int32Array;
}

/** Ordinary typed arrays, over SharedArrayBuffers when `shared`. */
export function heapAllocator(shared: boolean): TableAllocator {
  const buffer = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    float32: (length) => new Float32Array(buffer(length * 4)),
    float64: (length) => new Float64Array(buffer(length * 8)),
    int32: (length) => new Int32Array(buffer(length * 4)),
  };
}

const PAGE_BYTES = 65_536;
/** 4 GiB: the most a 32-bit WebAssembly memory can address. Only what is used is committed. */
const MAXIMUM_PAGES = 65_536;
/** The first page belongs to the module's own constants (its maths tables start at byte 1,024). */
const FIRST_TABLE_BYTE = PAGE_BYTES;
/** SIMD loads need no alignment, but 16-byte aligned rows never straddle more cache lines than they must. */
const ALIGNMENT = 16;

/**
 * Tables in one shared WebAssembly memory, handed out in order and never freed (a training run allocates
 * them once). The memory grows as tables are added; a shared memory never moves, so earlier views stay valid.
 */
export class WasmTableAllocator implements TableAllocator {
  readonly memory: WebAssembly.Memory;
  private next = FIRST_TABLE_BYTE;

  constructor(expectedBytes = 0) {
    const initial = Math.min(MAXIMUM_PAGES, Math.ceil((FIRST_TABLE_BYTE + expectedBytes) / PAGE_BYTES));
    this.memory = new WebAssembly.Memory({ initial, maximum: MAXIMUM_PAGES, shared: true });
  }

  /** Bytes handed out so far, the reserved first page included. */
  get usedBytes(): number {
    return this.next;
  }

  float32(length: number): Float32Array {
    const start = this.reserve(length * 4); // before reading the buffer, which growing replaces
    return new Float32Array(this.memory.buffer, start, length);
  }

  float64(length: number): Float64Array {
    const start = this.reserve(length * 8); // before reading the buffer, which growing replaces
    return new Float64Array(this.memory.buffer, start, length);
  }

  int32(length: number): Int32Array {
    const start = this.reserve(length * 4); // before reading the buffer, which growing replaces
    return new Int32Array(this.memory.buffer, start, length);
  }

  /** Scratch bytes for a module's own use: the address of `bytes` zeroed bytes. */
  bytes(bytes: number): number {
    return this.reserve(bytes);
  }

  private reserve(bytes: number): number {
    const start = Math.ceil(this.next / ALIGNMENT) * ALIGNMENT;
    const end = start + Math.max(bytes, 0);
    const missingPages = Math.ceil(end / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (missingPages > 0) {
      if (end > MAXIMUM_PAGES * PAGE_BYTES) {
        throw new Error(`WasmTableAllocator: the training tables need ${Math.ceil(end / 2 ** 20)} MiB, more than a WebAssembly memory holds (4 GiB)`);
      }
      this.memory.grow(missingPages);
    }
    this.next = end;
    return start;
  }
}
