// debug: a logger created inside a function, as in debug-js/debug#678 (measured 4.1.1 vs 4.3.1 in
// bitfinexcom/bfx-hf-algo#140). Same user code on both versions.
import createDebug from 'debug-fixed'

export const label = 'clean'
export const metric = 'heap'
export const reason =
  'debug@4.3.1 no longer tracks instances (fix of debug-js/debug#678): one debug() per call is garbage.'

let n = 0
export function fn() {
  const log = createDebug('app:request:handler')
  log('handled request %d', n++)
}
