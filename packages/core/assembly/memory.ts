// Linear-memory layout: [0, heapBase) holds the module's static data; the JS
// arena (src/kernel/arena.ts) owns everything from heapBase up and grows the memory itself.

export function heapBase(): usize {
  return __heap_base;
}
