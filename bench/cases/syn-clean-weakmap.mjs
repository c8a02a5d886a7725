// Metadata attached to short-lived objects through a WeakMap.
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Attaches metadata to a per-call object through a module-level WeakMap.'

const meta = new WeakMap()
export function fn() {
  const request = { url: '/x' }
  meta.set(request, { startedAt: 0, tags: ['a'] })
  return meta.get(request).tags.length
}
