import { basename } from 'node:path'
import { typeLabel } from './growth.js'
import { packageOf } from './sites.js'
import { type HeapGraph, nodeName, nodeType } from './snapshot.js'
import type { RetainerPath, RetainerStep } from './types.js'

const EDGE_KINDS: Record<string, string> = { context: 'variable' }

/** Breadth-first search from the snapshot's root over strong edges: for every node, the edge it was reached by. */
export class RetainerTree {
  /** Edge index (into `graph.edges`) by which each node was first reached; -1 for unreached and the root. */
  private readonly viaEdge: Int32Array
  private readonly parent: Int32Array

  /**
   * `skipRoots` names root groups not to start from: the diagnosis's own stack holds fn, so a path through
   * "(Stack roots)" says nothing the user can act on when another path exists.
   */
  constructor(
    private readonly graph: HeapGraph,
    skipRoots: readonly string[] = [],
  ) {
    const { nodeCount, edges, edgeFieldCount, edgeField, edgeTypes, firstEdge, nodeFieldCount } = graph
    const weak = edgeTypes.indexOf('weak')
    const elementType = edgeTypes.indexOf('element')
    // A WeakRef dereferenced in the current job (leakproof's own probes do) is held strongly until the job ends.
    const transientRoot = skipRoots.length > 0 ? graph.strings.indexOf('weak_refs_keep_during_job') : -1
    // V8's identity maps (object ids kept for the inspector and the heap profiler, which the diagnosis itself
    // drives) reach objects from the strong roots without the program holding them.
    const bookkeeping = new Uint8Array(graph.strings.length)
    graph.strings.forEach((name, index) => {
      if (name.includes('IdentityMap')) bookkeeping[index] = 1
    })
    this.viaEdge = new Int32Array(nodeCount).fill(-1)
    this.parent = new Int32Array(nodeCount).fill(-1)
    const queue = new Uint32Array(nodeCount)
    const seen = new Uint8Array(nodeCount)
    let head = 0
    let tail = 0
    queue[tail++] = 0
    seen[0] = 1
    while (head < tail) {
      const ordinal = queue[head++] as number
      const end = firstEdge[ordinal + 1] as number
      for (let edge = firstEdge[ordinal] as number; edge < end; edge += edgeFieldCount) {
        if (edges[edge + edgeField.type] === weak) continue
        if (transientRoot >= 0 && edges[edge + edgeField.nameOrIndex] === transientRoot) continue
        if (edges[edge + edgeField.type] !== elementType && bookkeeping[edges[edge + edgeField.nameOrIndex] as number])
          continue
        const target = (edges[edge + edgeField.toNode] as number) / nodeFieldCount
        if (seen[target]) continue
        if (
          skipRoots.length > 0 &&
          nodeType(graph, target) === 'synthetic' &&
          skipRoots.includes(nodeName(graph, target))
        )
          continue
        seen[target] = 1
        this.viaEdge[target] = edge
        this.parent[target] = ordinal
        queue[tail++] = target
      }
    }
  }

  /** Steps from the root to `target`, or undefined when only weak references hold it. */
  pathTo(target: number): { steps: RetainerStep[]; ordinals: number[] } | undefined {
    if (target !== 0 && (this.parent[target] ?? -1) < 0) return undefined
    const { graph } = this
    const steps: RetainerStep[] = []
    const ordinals: number[] = []
    for (let ordinal = target; ordinal > 0; ordinal = this.parent[ordinal] as number) {
      const edge = this.viaEdge[ordinal] as number
      const kind = graph.edgeTypes[graph.edges[edge + graph.edgeField.type] as number] as string
      const nameOrIndex = graph.edges[edge + graph.edgeField.nameOrIndex] as number
      const named = kind !== 'element' && kind !== 'hidden'
      const nodeKind = nodeType(graph, ordinal)
      const parent = this.parent[ordinal] as number
      const variable = kind === 'hidden' ? contextVariableName(graph, parent, edge) : undefined
      steps.push({
        edgeKind: variable ? 'variable' : (EDGE_KINDS[kind] ?? kind),
        edge: variable ?? (named ? (graph.strings[nameOrIndex] as string) : String(nameOrIndex)),
        node: typeLabel(nodeKind, nodeName(graph, ordinal)),
        nodeKind,
      })
      ordinals.push(ordinal)
    }
    return { steps: steps.reverse(), ordinals: ordinals.reverse() }
  }
}

function edgesOf(graph: HeapGraph, ordinal: number): Array<{ kind: string; name: string; target: number }> {
  const { edges, edgeField, edgeTypes, strings, firstEdge, edgeFieldCount, nodeFieldCount } = graph
  const list: Array<{ kind: string; name: string; target: number }> = []
  const end = firstEdge[ordinal + 1] as number
  for (let edge = firstEdge[ordinal] as number; edge < end; edge += edgeFieldCount) {
    const kind = edgeTypes[edges[edge + edgeField.type] as number] as string
    const nameOrIndex = edges[edge + edgeField.nameOrIndex] as number
    const name = kind === 'element' || kind === 'hidden' ? String(nameOrIndex) : (strings[nameOrIndex] as string)
    list.push({ kind, name, target: (edges[edge + edgeField.toNode] as number) / nodeFieldCount })
  }
  return list
}

/**
 * V8 leaves some scope variables unnamed in snapshots (a module's top-level scope under Vitest's and Jest's
 * wrappers): the Context holds them as hidden slots and its ScopeInfo lists the names in slot order. Small integers
 * take a slot but no edge, so slots and names are aligned on the closures, whose names match their variables.
 */
function contextVariableName(graph: HeapGraph, context: number, viaEdge: number): string | undefined {
  if (context < 0 || nodeName(graph, context) !== 'system / Context') return undefined
  const contextEdges = edgesOf(graph, context)
  const scopeInfo = contextEdges.find((edge) => edge.kind === 'internal' && edge.name === 'scope_info')
  if (!scopeInfo) return undefined
  const names = edgesOf(graph, scopeInfo.target)
    .filter((edge) => edge.kind === 'hidden' && nodeType(graph, edge.target) === 'string')
    .map((edge) => nodeName(graph, edge.target))
  const slots = contextEdges.filter((edge) => edge.kind === 'hidden')
  const wanted = (graph.edges[viaEdge + graph.edgeField.nameOrIndex] as number).toString()
  let nameIndex = 0
  for (const slot of slots) {
    if (nodeType(graph, slot.target) === 'closure') {
      const own = names.indexOf(nodeName(graph, slot.target), nameIndex)
      if (own >= 0) nameIndex = own
    }
    if (slot.name === wanted) return names[nameIndex]
    nameIndex++
  }
  return undefined
}

const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet'])
const USER_KINDS = new Set(['object', 'closure', 'regexp'])

/**
 * The path as a user recognises it: from the first variable of their code (a module-level or closure variable),
 * through properties, elements and collection entries, to the leaked object. Runtime internals are dropped.
 * `fileOf` names the file of the closure that owns a variable's scope.
 */
/** A path longer than this, after repeats are folded, keeps its first and last halves of it. */
const MAX_PATH_STEPS = 80

const sameHop = (a: RetainerStep, b: RetainerStep) =>
  a.edgeKind === b.edgeKind &&
  a.edge === b.edge &&
  a.node === b.node &&
  a.nodeKind === b.nodeKind &&
  a.package === b.package

/**
 * Folds runs of the same hop into one step with `repeat` (a queue's `.next (Node)` 300,000 times is one step), then
 * leaves out the middle of a path still longer than MAX_PATH_STEPS: a retainer path stays a line, whatever the leak.
 * `files` (the scope file of each step) is folded alike.
 */
export function foldPath<F>(
  steps: readonly RetainerStep[],
  files: readonly F[],
): { steps: RetainerStep[]; files: F[] } {
  const folded: RetainerStep[] = []
  const foldedFiles: F[] = []
  steps.forEach((step, index) => {
    const last = folded.at(-1)
    if (last && sameHop(last, step) && step.edgeKind !== 'variable') {
      last.repeat = (last.repeat ?? 1) + (step.repeat ?? 1)
      return
    }
    folded.push({ ...step })
    foldedFiles.push(files[index] as F)
  })
  if (folded.length <= MAX_PATH_STEPS) return { steps: folded, files: foldedFiles }
  const head = MAX_PATH_STEPS / 2
  const tail = MAX_PATH_STEPS - head - 1
  const left = folded.slice(head, folded.length - tail).reduce((sum, step) => sum + (step.repeat ?? 1), 0)
  const elided: RetainerStep = { edgeKind: 'elided', edge: '', node: '', nodeKind: '', repeat: left }
  return {
    steps: [...folded.slice(0, head), elided, ...folded.slice(folded.length - tail)],
    files: [...foldedFiles.slice(0, head), undefined as F, ...foldedFiles.slice(foldedFiles.length - tail)],
  }
}

export function summarizePath(
  steps: readonly RetainerStep[],
  target: string,
  scopeFile: (stepIndex: number) => string | undefined,
): string {
  // Start at the first variable of the user's code: not of the test runner's or a dependency's scope.
  let start = steps.findIndex(
    (step, index) => step.edgeKind === 'variable' && !isInternalName(step.edge) && isUserFile(scopeFile(index)),
  )
  if (start < 0) start = steps.findIndex((step) => step.edgeKind === 'variable' && !isInternalName(step.edge))
  if (start < 0) start = steps.findIndex((step) => step.edgeKind === 'property' && USER_KINDS.has(step.nodeKind))
  if (start < 0) start = 0
  // A function reached by name (an export, an import binding, a property) is only the way into its scope: start at
  // the variable of that scope, `cache.ts › sessions (Map)`, not at whatever named the function.
  for (let index = start; index < steps.length - 1; index++) {
    const step = steps[index] as RetainerStep
    if (step.nodeKind !== 'closure' || (step.edgeKind !== 'property' && step.edgeKind !== 'variable')) continue
    const next = steps.findIndex((later, at) => at > index && later.edgeKind !== 'internal')
    if (next > index && steps[next]?.edgeKind === 'variable' && !isInternalName(steps[next]?.edge ?? '')) start = next
  }
  const parts: string[] = []
  const file = scopeFile(start)
  // A dependency's module state is named by its package: `mustache › defaultWriter`.
  if (file) parts.push(isUserFile(file) ? basename(file) : packageOf(file))
  let owner = ''
  for (let index = start; index < steps.length; index++) {
    const step = steps[index] as RetainerStep
    const userNode = USER_KINDS.has(step.nodeKind)
    const times = step.repeat && step.repeat > 1 ? ` × ${step.repeat.toLocaleString('en-US')}` : ''
    const label = `${userNode ? ` (${step.node})` : ''}${times}`
    if (step.edgeKind === 'elided') {
      parts.push(`… ${(step.repeat ?? 0).toLocaleString('en-US')} hops …`)
    } else if (step.edgeKind === 'variable') {
      parts.push(`${step.edge}${label}`)
    } else if (step.edgeKind === 'property') {
      parts.push(`.${step.edge}${label}`)
    } else if (step.edgeKind === 'element') {
      parts.push(`[${step.edge}]${label}`)
    } else if (COLLECTIONS.has(owner) && !userNode) {
      if (parts.at(-1) !== 'entry') parts.push('entry')
    } else if (userNode && index === steps.length - 1) {
      parts.push(step.node)
    }
    if (userNode) owner = step.node
  }
  const last = parts.at(-1) ?? ''
  if (!last.endsWith(`(${target})`) && last !== target) parts.push(target)
  return parts.join(' › ')
}

function isUserFile(file: string | undefined): boolean {
  return file !== undefined && !file.includes('node_modules') && !file.startsWith('node:')
}

function isInternalName(name: string): boolean {
  return name === '' || name.startsWith('.') || name.startsWith('__vi') || name.startsWith('__vite')
}

export function retainerPath(
  tree: RetainerTree,
  graph: HeapGraph,
  target: number,
  targetName: string,
  fileOfClosure: (ordinal: number) => string | undefined,
): RetainerPath | undefined {
  const found = tree.pathTo(target)
  if (!found) return undefined
  const { ordinals } = found
  // A variable lives in a Context; the closure that reached that Context tells which file it belongs to.
  const scopeFile = (stepIndex: number) => {
    if (found.steps[stepIndex]?.edgeKind !== 'variable') return undefined
    for (let index = stepIndex - 1; index >= 0; index--) {
      const ordinal = ordinals[index] as number
      if (nodeType(graph, ordinal) === 'closure') return fileOfClosure(ordinal)
    }
    return undefined
  }
  const { steps, files } = foldPath(
    found.steps,
    found.steps.map((_, index) => scopeFile(index)),
  )
  return { target: targetName, steps, summary: summarizePath(steps, targetName, (at) => files[at]) }
}
