import { type HeapGraph, isHeapObjectType } from './snapshot.js'
import type { GrowingType } from './types.js'

const KIND_NAMES: Record<string, string> = {
  string: '(string)',
  'concatenated string': '(string)',
  'sliced string': '(string)',
  code: '(compiled code)',
  number: '(heap number)',
  symbol: '(symbol)',
  bigint: '(bigint)',
  'object shape': '(object shape)',
}

/** The name a user sees for a node: constructor or function name, or V8's label for internal kinds. */
export function typeLabel(kind: string, name: string): string {
  const fixed = KIND_NAMES[kind]
  if (fixed) return fixed
  if (kind === 'closure') return `${name || '(anonymous)'}()`
  if (kind === 'regexp') return 'RegExp'
  if (kind === 'array') return name ? `(${name.replace(/^\(|\)$/g, '')})` : '(internal array)'
  return name || `(${kind})`
}

export interface GrowthEntry extends GrowingType {
  bytesPerCall: number
  /** Ordinal of one new instance (the median by id), for a retainer path. */
  sampleNode: number
}

/**
 * Objects in `after` with an id above `boundaryId` were allocated after the first snapshot and are still alive:
 * grouped by type and divided by the calls made in between.
 */
export function growingTypes(after: HeapGraph, boundaryId: number, calls: number): GrowthEntry[] {
  const { nodes, nodeFieldCount, field, nodeTypes, strings } = after
  // Compiled code and hidden classes (shapes) grow while V8 optimises and unwinds errors, whatever the user keeps.
  const counted = nodeTypes.map((kind) => isHeapObjectType(kind) && kind !== 'code' && kind !== 'object shape')
  const byTypeAndName = new Map<number, { count: number; bytes: number; ordinals: number[] }>()
  for (let offset = 0, ordinal = 0; offset < nodes.length; offset += nodeFieldCount, ordinal++) {
    if ((nodes[offset + field.id] as number) <= boundaryId) continue
    const typeIndex = nodes[offset + field.type] as number
    if (!counted[typeIndex]) continue
    const key = (nodes[offset + field.name] as number) * 32 + typeIndex
    let group = byTypeAndName.get(key)
    if (!group) {
      group = { count: 0, bytes: 0, ordinals: [] }
      byTypeAndName.set(key, group)
    }
    group.count++
    group.bytes += nodes[offset + field.selfSize] as number
    group.ordinals.push(ordinal)
  }
  // Strings of different names fall into one label, "(string)": merge groups by label.
  const groups = new Map<string, { kind: string; name: string; count: number; bytes: number; ordinals: number[] }>()
  for (const [key, group] of byTypeAndName) {
    const kind = nodeTypes[key % 32] as string
    const name = typeLabel(kind, strings[Math.floor(key / 32)] as string)
    const label = `${kind}\u0000${name}`
    const merged = groups.get(label)
    if (!merged) {
      groups.set(label, { kind, name, ...group })
    } else {
      merged.count += group.count
      merged.bytes += group.bytes
      if (merged.ordinals.length < group.ordinals.length) merged.ordinals = group.ordinals
    }
  }
  const entries: GrowthEntry[] = []
  for (const group of groups.values()) {
    // A type that gained one or two objects in all those calls is a one-time allocation, not growth per call.
    if (group.count < Math.max(3, calls * 0.02)) continue
    entries.push({
      name: group.name,
      kind: group.kind,
      countPerCall: group.count / calls,
      bytesPerCall: group.bytes / calls,
      sampleNode: group.ordinals[group.ordinals.length >> 1] as number,
    })
  }
  return entries.sort((a, b) => b.bytesPerCall - a.bytesPerCall)
}
