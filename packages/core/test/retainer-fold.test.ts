import { expect, test } from 'vitest'
import { foldPath, summarizePath } from '../src/diagnose/retainers.js'
import type { RetainerStep } from '../src/diagnose/types.js'

const hop = (edge: string, node = 'Node'): RetainerStep => ({ edgeKind: 'property', edge, node, nodeKind: 'object' })
const variable: RetainerStep = { edgeKind: 'variable', edge: 'queue', node: 'Object', nodeKind: 'object' }

test('runs of one hop fold into one step that says how many', () => {
  const steps = [variable, hop('head'), ...Array.from({ length: 300_000 }, () => hop('next')), hop('value', 'Job')]
  const { steps: folded, files } = foldPath(
    steps,
    steps.map(() => undefined),
  )
  expect(folded).toHaveLength(4)
  expect(files).toHaveLength(4)
  expect(folded[2]).toMatchObject({ edge: 'next', repeat: 300_000 })
  expect(summarizePath(folded, 'Job', () => undefined)).toBe(
    'queue (Object) › .head (Node) › .next (Node) × 300,000 › .value (Job)',
  )
})

test('a path still too long keeps its ends and says how many hops it left out', () => {
  // A tree of distinct hops (no run to fold): 200 levels of `.child0`, `.child1`…
  const steps = [variable, ...Array.from({ length: 200 }, (_, at) => hop(`child${at}`))]
  const { steps: folded } = foldPath(
    steps,
    steps.map(() => undefined),
  )
  expect(folded.length).toBeLessThanOrEqual(80)
  const elided = folded.find((step) => step.edgeKind === 'elided')
  const kept = folded.filter((step) => step.edgeKind !== 'elided').length
  expect(elided?.repeat).toBe(steps.length - kept)
  const summary = summarizePath(folded, 'Node', () => undefined)
  expect(summary).toContain(`› … ${elided?.repeat} hops … ›`)
  expect(summary.startsWith('queue (Object) › .child0 (Node)')).toBe(true)
  expect(summary.endsWith('.child199 (Node)')).toBe(true)
})
