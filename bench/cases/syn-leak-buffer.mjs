// Buffers kept in a list: the bytes live outside the JS heap (external), only a small wrapper is on the heap.
export const label = 'leak'
export const metric = 'external'
export const reason = 'Keeps one 1 KiB Buffer per call (payload copies never released).'

const payloads = []
export function fn() {
  payloads.push(Buffer.alloc(1024))
}
