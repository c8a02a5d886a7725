// p-queue: tasks added with one long-lived AbortSignal (a shutdown signal). sindresorhus/p-queue#235,
// released in 9.0.1. Same user code on both versions.
import PQueue from 'p-queue-leaky'

export const label = 'leak'
export const metric = 'listeners'
export const reason =
  'p-queue@9.0.0 adds an abort listener to the task signal and never removes it when the task completes (sindresorhus/p-queue#235).'
/**
 * What a user needs named to find the bug: the AbortSignal that collects the listeners, or PQueue (whose add leaves
 * them).
 */
export const names = ['AbortSignal', 'PQueue']

const queue = new PQueue({ concurrency: 1 })
const shutdown = new AbortController()
process.setMaxListeners?.(0)
export async function fn() {
  return queue.add(async () => 1, { signal: shutdown.signal })
}
