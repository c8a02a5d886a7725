// debug: a logger created inside a function, as in debug-js/debug#678 (measured 4.1.1 vs 4.3.1 in
// bitfinexcom/bfx-hf-algo#140). Same user code on both versions.
import createDebug from 'debug-leaky'

export const label = 'leak'
export const metric = 'heap'
export const reason =
  'debug@4.1.1 keeps every instance in createDebug.instances (debug-js/debug#678); one debug() per call leaks.'
/**
 * What a user needs named to find the bug: debug's createDebug and the instances array that keeps every debug function
 * it made.
 */
export const names = ['createDebug', 'instances', 'debug']

let n = 0
export function fn() {
  const log = createDebug('app:request:handler')
  log('handled request %d', n++)
}
