// Run by demo.mjs with `node --test`: the unbounded limiter's leak fails this test, as it would in your suite.
import { test } from 'node:test'
import { assertNoLeak } from '@leakproof/core/node-test'
import { createLeakyLimiter } from '../rate-limiter.mjs'

let clientId = 0

test('rate limiter v1 › serving new clients does not leak', async (t) => {
  const limiter = createLeakyLimiter()
  await assertNoLeak(t, () => limiter.allow(`203.0.113.${clientId++}`))
})
