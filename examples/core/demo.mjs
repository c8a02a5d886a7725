// The main demo: measure a leaking and a clean request log with @leakproof/core and print both reports.
import { formatLeakReport, measureLeak } from '@leakproof/core'
import { createLeakyLog, createRingLog } from './request-log.mjs'

let requestId = 0
const handle = (log) => () => log.record('GET', `/users/${requestId++}`)

console.log('leakproof demo — measureLeak(() => log.record(...))\n')

const leaky = await measureLeak(handle(createLeakyLog()))
console.log('1. createLeakyLog(): keeps every request forever')
console.log(indent(formatLeakReport(leaky)), '\n')

const ring = await measureLeak(handle(createRingLog(500)))
console.log('2. createRingLog(500): keeps the last 500 requests')
console.log(indent(formatLeakReport(ring)), '\n')

const asExpected = leaky.leaked && !ring.leaked
console.log(
  asExpected ? 'As expected: the leak was caught and the ring buffer passed.' : 'UNEXPECTED verdicts (see above).',
)
process.exitCode = asExpected ? 0 : 1

function indent(text) {
  return text.replace(/^/gm, '   ')
}
