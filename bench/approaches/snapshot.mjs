// (b) Heap-snapshot diff, memlab-style: snapshot, run the scenario N times, snapshot, N times again, snapshot.
// Object groups (node type + constructor/name) whose count grew in both intervals are the leak.
// Snapshots go to os.tmpdir() (faster than streaming v8.getHeapSnapshot()) and are deleted at once.

import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import v8 from 'node:v8'
import { callMany, callsPerMs } from '../lib/calls.mjs'

export const name = 'heap-snapshot diff'
export const nodeFlags = []

const WARMUP_MS = 300
const INTERVAL_MS = 300
const MAX_CALLS_PER_INTERVAL = 10_000
/** V8 internals that change as code is compiled, not as the program retains data. */
const IGNORED_TYPES = new Set(['code', 'hidden', 'synthetic', 'object shape'])

/**
 * Group keys seen so far, each with an index into the per-snapshot count arrays. Keys are kept once for the
 * whole run, and counts live in typed arrays, so the harness's own bookkeeping adds almost no objects between
 * snapshots (it would otherwise be the fastest-growing "leak" in every case).
 */
const groupsByType = new Map()
const groupTypes = []
const groupNames = []

function indexOf(type, name) {
  let byName = groupsByType.get(type)
  if (byName === undefined) {
    byName = new Map()
    groupsByType.set(type, byName)
  }
  let index = byName.get(name)
  if (index === undefined) {
    index = groupNames.length
    byName.set(name, index)
    groupTypes.push(type)
    groupNames.push(name)
  }
  return index
}

async function snapshotGroups() {
  // Let timers and immediates scheduled by the calls run, as a scenario runner waits for idle.
  await nextTurn()
  await sleep(20)
  const file = join(tmpdir(), `leakproof-bench-${process.pid}.heapsnapshot`)
  let snapshot
  try {
    v8.writeHeapSnapshot(file)
    snapshot = JSON.parse(readFileSync(file, 'utf8'))
  } finally {
    rmSync(file, { force: true })
  }
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta
  const typeNames = types[0]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const { nodes, strings } = snapshot
  const nodeGroup = new Int32Array(nodes.length / width)
  let totalSize = 0
  for (let i = 0, n = 0; i < nodes.length; i += width, n++) {
    const type = typeNames[nodes[i + typeAt]]
    totalSize += nodes[i + sizeAt]
    if (IGNORED_TYPES.has(type)) {
      nodeGroup[n] = -1
      continue
    }
    const byName = !(type === 'string' || type === 'number' || type.endsWith(' string'))
    nodeGroup[n] = indexOf(type, byName ? strings[nodes[i + nameAt]] : '')
  }
  const count = new Float64Array(groupNames.length)
  const size = new Float64Array(groupNames.length)
  for (let i = 0, n = 0; i < nodes.length; i += width, n++) {
    if (nodeGroup[n] < 0) continue
    count[nodeGroup[n]]++
    size[nodeGroup[n]] += nodes[i + sizeAt]
  }
  return { count, size, totalSize }
}

export async function detect(testCase) {
  const { fn } = testCase
  const started = performance.now()
  const options = { turnEventLoop: true }
  const rate = await callsPerMs(fn, WARMUP_MS, options, 2 * MAX_CALLS_PER_INTERVAL)
  const callsPerInterval = Math.max(10, Math.min(MAX_CALLS_PER_INTERVAL, Math.round(rate * INTERVAL_MS)))
  const s1 = await snapshotGroups()
  await callMany(fn, callsPerInterval, options)
  const s2 = await snapshotGroups()
  await callMany(fn, callsPerInterval, options)
  const s3 = await snapshotGroups()
  const minGrowth = Math.max(20, callsPerInterval / 500)
  const growing = []
  for (let index = 0; index < groupNames.length; index++) {
    const key = groupNames[index] ? `${groupTypes[index]}:${groupNames[index]}` : groupTypes[index]
    const [c1, c2, c3] = [s1, s2, s3].map((snapshot) => snapshot.count[index] ?? 0)
    if (c2 - c1 >= minGrowth && c3 - c2 >= minGrowth) {
      growing.push({ key, count: c3 - c1, size: (s3.size[index] ?? 0) - (s1.size[index] ?? 0) })
    }
  }
  growing.sort((a, b) => b.count - a.count)
  const calls = 2 * callsPerInterval
  const grownBytes = growing.length > 0 ? growing.reduce((sum, g) => sum + g.size, 0) : s3.totalSize - s1.totalSize
  return {
    leaked: growing.length > 0,
    metric: 'heap',
    perCall: grownBytes / calls,
    verdictMs: performance.now() - started,
    detail: { callsPerInterval, growing: growing.slice(0, 5) },
  }
}
