// p-queue: tasks added with one long-lived AbortSignal (a shutdown signal). sindresorhus/p-queue#235,
// released in 9.0.1. Same user code on both versions.
import PQueue from 'p-queue-fixed'

export const label = 'clean'
export const metric = 'listeners'
export const reason = 'p-queue@9.0.1 removes the abort listener when the task settles (sindresorhus/p-queue#235).'

const queue = new PQueue({ concurrency: 1 })
const shutdown = new AbortController()
process.setMaxListeners?.(0)
export async function fn() {
  return queue.add(async () => 1, { signal: shutdown.signal })
}
