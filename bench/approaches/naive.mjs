// (a) The approach of blog posts and monitoring snippets: call the code in a loop, read
// process.memoryUsage().heapUsed every 100 ms (after global.gc() when --expose-gc is on, as the careful
// posts do), and call it a leak when most samples are higher than the one before.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import { callMany } from '../lib/calls.mjs'

export const name = 'naive heapUsed sampling'
export const nodeFlags = ['--expose-gc']

const SAMPLES = 10
const SAMPLE_EVERY_MS = 100
const WARMUP_MS = 200

export async function detect(testCase) {
  const { fn } = testCase
  const started = performance.now()
  let calls = 0
  let stop = false
  // The application keeps calling fn; the monitor samples on a timer.
  const worker = (async () => {
    while (!stop) {
      calls += await callMany(fn, 64, { turnEventLoop: true })
      await nextTurn()
    }
  })().catch((error) => {
    stop = true
    throw error
  })
  await sleep(WARMUP_MS)
  const samples = []
  for (let i = 0; i < SAMPLES; i++) {
    globalThis.gc?.()
    samples.push({ heapUsed: process.memoryUsage().heapUsed, calls })
    if (i < SAMPLES - 1) await sleep(SAMPLE_EVERY_MS)
  }
  stop = true
  await worker
  let rises = 0
  for (let i = 1; i < samples.length; i++) if (samples[i].heapUsed > samples[i - 1].heapUsed) rises++
  const first = samples[0]
  const last = samples[samples.length - 1]
  const leaked = rises > (samples.length - 1) / 2 && last.heapUsed > first.heapUsed
  return {
    leaked,
    metric: 'heap',
    perCall: (last.heapUsed - first.heapUsed) / Math.max(1, last.calls - first.calls),
    verdictMs: performance.now() - started,
    detail: { rises, intervals: samples.length - 1, calls },
  }
}
