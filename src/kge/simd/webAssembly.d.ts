/**
 * The WebAssembly JavaScript API as far as the SIMD kernels use it. Node has it at run time, but this
 * project compiles without the DOM library, which is where TypeScript declares it.
 */
declare namespace WebAssembly {
  // A compiled module is opaque: it is only instantiated or handed to worker threads.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Module {}
  interface Memory {
    readonly buffer: SharedArrayBuffer | ArrayBuffer;
    grow(deltaPages: number): number;
  }
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  // eslint-disable-next-line no-var
  var Module: { new (bytes: ArrayBufferView | ArrayBuffer): Module };
  // eslint-disable-next-line no-var
  var Memory: { new (descriptor: MemoryDescriptor): Memory };
  // eslint-disable-next-line no-var
  var Instance: { new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance };
}
