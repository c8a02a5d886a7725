// Buffers kept in a list: the bytes live outside the JS heap (external), only a small wrapper is on the heap.
export const label = 'leak'
export const metric = 'external'
export const reason = 'Keeps one 1 KiB Buffer per call (payload copies never released).'
/** What a user needs named to find the bug: the user's fn, the payloads array, or the Buffer type. */
export const names = ['fn', 'payloads', 'Buffer', 'Uint8Array']

const payloads = []
export function fn() {
  payloads.push(Buffer.alloc(1024))
}
