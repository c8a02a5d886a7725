// A one-shot listener that fires: Node removes it.
import { EventEmitter } from 'node:events'

export const label = 'clean'
export const metric = 'listeners'
export const reason =
  "Adds a once('done') listener to a long-lived emitter per call and emits 'done' (listener removed)."

const bus = new EventEmitter()
export function fn() {
  let fired = false
  bus.once('done', () => {
    fired = true
  })
  bus.emit('done')
  return fired
}
