import { readFileSync } from 'node:fs'
import v8 from 'node:v8'
import type { SyncInspector } from './inspector.js'

/** A parsed V8 heap snapshot: flat arrays as V8 writes them, with field offsets read from its meta. */
export interface HeapGraph {
  nodes: Float64Array
  edges: Uint32Array
  strings: string[]
  nodeTypes: string[]
  edgeTypes: string[]
  nodeFieldCount: number
  edgeFieldCount: number
  /** Offsets of the fields in a node or edge record. */
  field: { type: number; name: number; id: number; selfSize: number; edgeCount: number }
  edgeField: { type: number; nameOrIndex: number; toNode: number }
  /** `firstEdge[n]` is the index into `edges` of node n's first edge (n is a node ordinal). */
  firstEdge: Uint32Array
  /** Node ordinal → [scriptId, line, column] (0-based) for closures and other objects with a location. */
  locations: Map<number, [number, number, number]>
  nodeCount: number
}

interface SnapshotMeta {
  node_fields: string[]
  node_types: [string[], ...unknown[]]
  edge_fields: string[]
  edge_types: [string[], ...unknown[]]
  location_fields?: string[]
}

interface SnapshotHeader {
  meta: SnapshotMeta
  node_count: number
  edge_count: number
}

let snapshotsTaken = 0

/** How many heap snapshots this module has taken in this process; lets tests prove the passing path takes none. */
export function heapSnapshotCount(): number {
  return snapshotsTaken
}

/**
 * Gives every object now on the heap a snapshot id and returns an id that all of them are at most: objects
 * allocated afterwards get larger ids in the next snapshot. Much cheaper than a snapshot (a heap walk, no graph).
 * `startTrackingHeapObjects` assigns the ids; a second call assigns one to a fresh probe object, whose id then
 * bounds every earlier one.
 */
export function markHeapObjects(inspector: SyncInspector): number {
  inspector.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: false })
  const probe = inspector.post<{ result: { objectId?: string } }>('Runtime.evaluate', { expression: '({})' })
  const objectId = probe.result.objectId
  if (!objectId) throw new Error('no probe object for the heap object id boundary')
  try {
    inspector.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: false })
    const { heapSnapshotObjectId } = inspector.post<{ heapSnapshotObjectId: string }>('HeapProfiler.getHeapObjectId', {
      objectId,
    })
    const boundary = Number(heapSnapshotObjectId)
    if (!(boundary > 0)) throw new Error(`unexpected heap object id ${heapSnapshotObjectId}`)
    return boundary
  } finally {
    inspector.post('Runtime.releaseObject', { objectId })
  }
}

/**
 * Writes a heap snapshot to `path` and returns its bytes. `v8.writeHeapSnapshot` is synchronous and streams straight
 * to the file (faster than the inspector's chunk events); ids agree with `markHeapObjects`, both being the isolate's.
 */
export function takeHeapSnapshot(path: string): Buffer {
  const written = v8.writeHeapSnapshot(path)
  snapshotsTaken++
  return readFileSync(written)
}

/** Index just after `"key":[` in the snapshot text, or -1. */
function sectionStart(bytes: Buffer, key: string, from: number): number {
  const at = bytes.indexOf(`"${key}":[`, from, 'latin1')
  return at < 0 ? -1 : at + key.length + 4
}

/**
 * Reads a run of unsigned integers (`1,2,3\n,4]`) into `target`, without building a JS array or a string: the
 * numeric sections are most of a snapshot, and `JSON.parse` of them costs seconds on a big heap.
 */
function readNumbers(bytes: Buffer, from: number, target: Float64Array | Uint32Array): number {
  let position = from
  let index = 0
  let value = 0
  let inNumber = false
  for (;;) {
    const byte = bytes[position++] as number
    if (byte >= 48 && byte <= 57) {
      value = value * 10 + (byte - 48)
      inNumber = true
    } else {
      if (inNumber) {
        if (index < target.length) target[index] = value
        index++
        value = 0
        inNumber = false
      }
      if (byte === 93 || position >= bytes.length) break
    }
  }
  if (index !== target.length) throw new Error(`heap snapshot: expected ${target.length} numbers, read ${index}`)
  return position
}

function countNumbers(bytes: Buffer, from: number): number {
  let count = 0
  let inNumber = false
  for (let position = from; position < bytes.length; position++) {
    const byte = bytes[position] as number
    if (byte >= 48 && byte <= 57) {
      inNumber = true
    } else {
      if (inNumber) count++
      inNumber = false
      if (byte === 93) break
    }
  }
  return count
}

export function parseHeapSnapshot(bytes: Buffer): HeapGraph {
  const nodesStart = sectionStart(bytes, 'nodes', 0)
  if (nodesStart < 0) throw new Error('heap snapshot: no nodes section')
  const headerText = bytes.toString('utf8', 0, nodesStart - '"nodes":['.length).replace(/,\s*$/, '')
  const header = (JSON.parse(`${headerText}}`) as { snapshot: SnapshotHeader }).snapshot
  const meta = header.meta
  const nodeFields = meta.node_fields
  const edgeFields = meta.edge_fields
  const field = {
    type: nodeFields.indexOf('type'),
    name: nodeFields.indexOf('name'),
    id: nodeFields.indexOf('id'),
    selfSize: nodeFields.indexOf('self_size'),
    edgeCount: nodeFields.indexOf('edge_count'),
  }
  const edgeField = {
    type: edgeFields.indexOf('type'),
    nameOrIndex: edgeFields.indexOf('name_or_index'),
    toNode: edgeFields.indexOf('to_node'),
  }
  const nodeFieldCount = nodeFields.length
  const nodeCount = header.node_count
  const nodes = new Float64Array(nodeCount * nodeFieldCount)
  let position = readNumbers(bytes, nodesStart, nodes)
  const edgesStart = sectionStart(bytes, 'edges', position)
  const edges = new Uint32Array(header.edge_count * edgeFields.length)
  position = readNumbers(bytes, edgesStart, edges)

  const locations = new Map<number, [number, number, number]>()
  const locationFields = meta.location_fields ?? []
  const locationsStart = sectionStart(bytes, 'locations', position)
  if (locationsStart >= 0 && locationFields.length > 0) {
    const raw = new Float64Array(countNumbers(bytes, locationsStart))
    position = readNumbers(bytes, locationsStart, raw)
    const objectIndex = locationFields.indexOf('object_index')
    const scriptId = locationFields.indexOf('script_id')
    const line = locationFields.indexOf('line')
    const column = locationFields.indexOf('column')
    for (let i = 0; i < raw.length; i += locationFields.length) {
      const at = (offset: number) => raw[i + offset] as number
      locations.set(at(objectIndex) / nodeFieldCount, [at(scriptId), at(line), at(column)])
    }
  }
  const stringsStart = sectionStart(bytes, 'strings', position)
  if (stringsStart < 0) throw new Error('heap snapshot: no strings section')
  const stringsEnd = bytes.lastIndexOf(']')
  const strings = JSON.parse(bytes.toString('utf8', stringsStart - 1, stringsEnd + 1)) as string[]

  const firstEdge = new Uint32Array(nodeCount + 1)
  let edgeIndex = 0
  for (let ordinal = 0; ordinal < nodeCount; ordinal++) {
    firstEdge[ordinal] = edgeIndex
    edgeIndex += (nodes[ordinal * nodeFieldCount + field.edgeCount] as number) * edgeFields.length
  }
  firstEdge[nodeCount] = edgeIndex
  return {
    nodes,
    edges,
    strings,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    nodeFieldCount,
    edgeFieldCount: edgeFields.length,
    field,
    edgeField,
    firstEdge,
    locations,
    nodeCount,
  }
}

/** Node types that are V8 heap objects with stable ids (embedder 'native' and 'synthetic' nodes are not). */
export function isHeapObjectType(type: string): boolean {
  return type !== 'native' && type !== 'synthetic'
}

export function nodeType(graph: HeapGraph, ordinal: number): string {
  return graph.nodeTypes[graph.nodes[ordinal * graph.nodeFieldCount + graph.field.type] as number] as string
}

export function nodeName(graph: HeapGraph, ordinal: number): string {
  return graph.strings[graph.nodes[ordinal * graph.nodeFieldCount + graph.field.name] as number] as string
}
