// Subscribing to a long-lived bus on every call and never unsubscribing.
import { EventEmitter } from 'node:events'

export const label = 'leak'
export const metric = 'listeners'
export const reason = "Adds a 'message' listener per call to a module-level EventEmitter and never removes it."
/** What a user needs named to find the bug: the user's fn, or the bus EventEmitter holding the listeners. */
export const names = ['fn', 'bus', 'EventEmitter']

const bus = new EventEmitter()
bus.setMaxListeners(0)
let id = 0
export function fn() {
  const mine = id++
  bus.on('message', (message) => message === mine)
}
