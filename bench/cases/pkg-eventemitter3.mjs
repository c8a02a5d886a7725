import EventEmitter from 'eventemitter3'

export const label = 'clean'
export const metric = 'listeners'
export const reason = 'eventemitter3@5: on(), emit(), off() of a new handler per call on a long-lived emitter.'

const bus = new EventEmitter()
let n = 0
export function fn() {
  const handler = (value) => {
    n += value
  }
  bus.on('tick', handler)
  bus.emit('tick', 1)
  bus.off('tick', handler)
  return n
}
