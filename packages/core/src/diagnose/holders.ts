import { fileURLToPath } from 'node:url'
import { types } from 'node:util'
import vm from 'node:vm'
import { now } from '../engine/clock.js'
import { isOwnFile } from '../own-files.js'
import { scriptIdOf } from './deopt.js'
import type { SyncInspector } from './inspector.js'
import { foldPath, summarizePath } from './retainers.js'
import { packageOf } from './sites.js'
import type { RetainerPath, RetainerStep } from './types.js'

/**
 * Finds what holds a leak without a heap snapshot, which takes seconds on the heap a leak has grown. From fn, walk
 * what it can reach: the variables of the user's closures and modules (read through the inspector, as
 * `[[Scopes]]`), and from there properties, array elements and collection entries. Note the size of every array,
 * Map, Set and object on the way; make the diagnosis calls; read the sizes again. What grew by about one entry per
 * call is the holder, its path from the variable is the retainer path, its new entries are what leaked.
 */

const GROUP = 'leakproof-holders'
/** Objects visited at most; functions whose scopes are read at most. */
const MAX_NODES = 20_000
const MAX_FUNCTIONS = 400
/** Properties followed per object (the first ones, and a few of the last: new keys are added at the end). */
const MAX_KEYS = 48
const LAST_KEYS = 4
/** Property hops from a user's variable (or fn) before the walk stops: past that it is a library's own state. */
const MAX_DISTANCE = 6
/**
 * A dependency's function is read for its scopes when it is at most this many hops from a user's variable (an
 * imported function, or a method of an imported object), and at most DEPENDENCY_FUNCTIONS per script: its module's
 * variables are the same from any of them.
 */
const DEPENDENCY_SCOPE_DISTANCE = 1
const DEPENDENCY_FUNCTIONS = 2
/** New entries looked at to name what leaked. */
const SAMPLED_ENTRIES = 16
/** Properties of a leaked object looked at for objects it brought along (its own Array, Map…). */
const MEMBER_KEYS = 16
/** At most this many holders are reported. */
const MAX_HOLDERS = 3
/** Hops followed along a linked list's link (a queue's `.next`) to count its nodes. */
const MAX_CHAIN = 500_000
/** A linked-list node has at most this many own properties; chains tracked at most. */
const MAX_NODE_KEYS = 8
const MAX_CHAINS = 64

/** A position V8 gave (0-based), before source maps. */
export interface RawLocation {
  scriptId: string
  line: number
  column: number
}

/** A type that grew in a holder: per call, over the diagnosis calls. */
export interface HeldType {
  name: string
  /** 'object', 'closure', 'string', … as in a heap snapshot. */
  kind: string
  countPerCall: number
  /** Where a leaked closure was created. */
  location?: RawLocation
}

export interface HolderFindings {
  types: HeldType[]
  retainers: RetainerPath[]
  /** Objects visited and functions whose scopes were read, for the diagnosis's notes. */
  visited: number
  functions: number
  /** True when the walk stopped at its time or size limit. */
  truncated: boolean
}

interface HolderNode {
  value: object
  parent: number
  /** The edges from the parent: one, or two for a collection entry (the entry, then its key or value). */
  steps: RetainerStep[]
  /** For a variable: the file of the function whose scope holds it. */
  file?: string
  /** Property hops since the last variable of the user's code (or fn). */
  distance: number
}

interface TrackedVariable {
  scope: number
  name: string
  /** The function whose scope holds it, and that scope's file. */
  owner: number
  file: string
  before: unknown
}

interface ScopedFunction {
  functionId: string
  variables: TrackedVariable[]
}

interface Scope {
  kind: string
  variables: Record<string, unknown>
}

interface RemoteObject {
  objectId?: string
  value?: unknown
}

interface PropertyDescriptorLike {
  name: string
  value?: RemoteObject
}

type ScriptUrl = (scriptId: string) => string

/** Steps from a root, with the file of each variable's scope (undefined for the other steps). */
interface PathSteps {
  steps: RetainerStep[]
  files: Array<string | undefined>
}

/** Hands JS values to the inspector (as remote object ids) and remote objects back to JS. */
class Bridge {
  private readonly key = `__leakproofHolders${process.pid}_${Math.floor(Math.random() * 1e9)}`
  private readonly sinkId: string
  private received: unknown[][] = []

  constructor(private readonly inspector: SyncInspector) {
    const sink = (...values: unknown[]) => {
      this.received.push(values)
    }
    const [sinkId] = this.remoteIds([sink])
    if (!sinkId) throw new Error('no remote object for the holder walk')
    this.sinkId = sinkId
  }

  /** Remote object ids (in the walk's object group) for `values`, '' where there is none. */
  remoteIds(values: readonly unknown[]): string[] {
    // Runtime.evaluate runs in the main context: the values go through its global, whatever realm fn lives in.
    const main = vm.runInThisContext('globalThis') as Record<string, unknown>
    Object.defineProperty(main, this.key, { value: values, configurable: true, enumerable: false, writable: true })
    try {
      const { result } = this.inspector.post<{ result: RemoteObject }>('Runtime.evaluate', {
        expression: `globalThis[${JSON.stringify(this.key)}]`,
        objectGroup: GROUP,
        silent: true,
      })
      const ids = values.map(() => '')
      if (!result.objectId) return ids
      const { result: elements } = this.inspector.post<{ result: PropertyDescriptorLike[] }>('Runtime.getProperties', {
        objectId: result.objectId,
        ownProperties: true,
      })
      for (const element of elements) {
        if (/^\d+$/.test(element.name) && element.value?.objectId) ids[Number(element.name)] = element.value.objectId
      }
      return ids
    } finally {
      delete main[this.key]
    }
  }

  /** Where a function was compiled, and the variables of its scopes (innermost first, the global scope left out). */
  inspect(functionId: string): { location?: RawLocation; scopes: Scope[] } {
    const { internalProperties = [] } = this.inspector.post<{ internalProperties?: PropertyDescriptorLike[] }>(
      'Runtime.getProperties',
      { objectId: functionId, ownProperties: true },
    )
    const raw = internalProperties.find((property) => property.name === '[[FunctionLocation]]')?.value?.value as
      | { scriptId: string; lineNumber: number; columnNumber: number }
      | undefined
    const location = raw
      ? { scriptId: String(raw.scriptId), line: raw.lineNumber, column: raw.columnNumber }
      : undefined
    const list = internalProperties.find((property) => property.name === '[[Scopes]]')?.value?.objectId
    if (!list) return { location, scopes: [] }
    this.received = []
    // The scope list's entries wrap a plain object of the scope's variables (a copy, taken now).
    this.inspector.post('Runtime.callFunctionOn', {
      objectId: list,
      functionDeclaration:
        'function (sink) { for (let i = 0; i < this.length; i++) { const s = this[i]; ' +
        "if (s.description !== 'Global' && s.description !== 'Script') sink(i, s.description, s.object) } }",
      arguments: [{ objectId: this.sinkId }],
      silent: true,
    })
    const scopes: Scope[] = []
    for (const [index, kind, variables] of this.received) {
      if (typeof variables === 'object' && variables !== null) {
        scopes[Number(index)] = { kind: String(kind), variables: variables as Record<string, unknown> }
      }
    }
    this.received = []
    return { location, scopes }
  }

  release(): void {
    try {
      this.inspector.post('Runtime.releaseObjectGroup', { objectGroup: GROUP })
    } catch {
      // The session is closed after the diagnosis anyway.
    }
  }
}

const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')?.get as () => number
const setSize = Object.getOwnPropertyDescriptor(Set.prototype, 'size')?.get as () => number

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
}

/** A script of the user's: not Node's, not a dependency's, not leakproof's own, not an eval without a name. */
export function isUserScript(url: string): boolean {
  return url !== '' && !url.startsWith('node:') && !/[\\/]node_modules[\\/]/.test(url) && !isOwnFile(url)
}

function toFile(url: string): string {
  if (!url.startsWith('file:')) return url
  try {
    return fileURLToPath(url)
  } catch {
    return url
  }
}

function ownData(value: object, key: PropertyKey): { found: boolean; value?: unknown; getter?: () => unknown } {
  let descriptor: PropertyDescriptor | undefined
  try {
    descriptor = Object.getOwnPropertyDescriptor(value, key)
  } catch {
    return { found: false }
  }
  if (!descriptor) return { found: false }
  if ('value' in descriptor) return { found: true, value: descriptor.value }
  return { found: false, getter: descriptor.get }
}

/** The type's name as a heap snapshot gives it: the constructor's name, `name()` for a closure. */
function label(value: unknown): { node: string; nodeKind: string } {
  // A proxy's traps are the user's code: never run them.
  if (isObject(value) && types.isProxy(value)) return { node: 'Proxy', nodeKind: 'object' }
  if (typeof value === 'function') {
    const name = ownData(value, 'name').value
    return { node: `${typeof name === 'string' && name ? name : '(anonymous)'}()`, nodeKind: 'closure' }
  }
  if (typeof value === 'string') return { node: '(string)', nodeKind: 'string' }
  if (!isObject(value)) return { node: `(${typeof value})`, nodeKind: typeof value }
  if (Array.isArray(value)) return { node: 'Array', nodeKind: 'object' }
  let prototype: object | null = null
  try {
    prototype = Object.getPrototypeOf(value) as object | null
  } catch {
    return { node: 'Object', nodeKind: 'object' }
  }
  const ownClass = prototype ? ownData(prototype, 'constructor').value : undefined
  const name = typeof ownClass === 'function' ? ownData(ownClass, 'name').value : undefined
  return { node: typeof name === 'string' && name ? name : 'Object', nodeKind: 'object' }
}

/** Entries of a growing holder: arrays, Maps, Sets and objects (keys); a string's length. Undefined for the rest. */
function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'string') return value.length
  if (!isObject(value) || typeof value === 'function' || types.isProxy(value)) return undefined
  try {
    if (Array.isArray(value)) return value.length
    // The built-in getters: a subclass (or another realm's Map) may not have its own `size`.
    if (types.isMap(value)) return mapSize.call(value) as number
    if (types.isSet(value)) return setSize.call(value) as number
    if (isOpaque(value)) return undefined
    return Reflect.ownKeys(value).length
  } catch {
    return undefined
  }
}

/**
 * The link of a linked-list node: its first own data property that holds another object of the node's own class
 * (`node.next`, a `Node` too). A queue grows at its tail, so no size the walk notes grows: the
 * length of the chain from its head does.
 */
function linkKey(value: object): PropertyKey | undefined {
  if (
    typeof value === 'function' ||
    Array.isArray(value) ||
    isOpaque(value) ||
    types.isMap(value) ||
    types.isSet(value)
  ) {
    return undefined
  }
  // A list node is an instance of a class, with few fields: everything else is left alone (the walk visits
  // thousands of objects, and this runs on each).
  let prototype: object | null
  let keys: PropertyKey[]
  try {
    prototype = Object.getPrototypeOf(value)
    if (prototype === null || prototype === Object.prototype) return undefined
    keys = Reflect.ownKeys(value)
  } catch {
    return undefined
  }
  if (keys.length > MAX_NODE_KEYS) return undefined
  for (const key of keys) {
    const next = ownData(value, key).value
    if (!isObject(next) || typeof next === 'function' || next === value || types.isProxy(next)) continue
    if (Array.isArray(next)) continue
    try {
      if (Object.getPrototypeOf(next) === prototype && !isOpaque(next)) return key
    } catch {}
  }
  return undefined
}

/** Nodes from `head` along `key`, at most MAX_CHAIN; with the last `keep` of them (the newest, for a queue). */
function followChain(head: object, key: PropertyKey, keep = 0): { length: number; last: object[] } {
  const last: object[] = []
  let length = 0
  for (let node: unknown = head; isObject(node) && length < MAX_CHAIN; length++) {
    if (keep > 0) {
      last.push(node)
      if (last.length > keep) last.shift()
    }
    const next = ownData(node, key).value
    if (next === head) break
    node = next
  }
  return { length, last }
}

/** Objects whose contents the walk does not read: typed and weak things, promises, boxed values, globals. */
function isOpaque(value: object): boolean {
  return (
    types.isProxy(value) ||
    types.isPromise(value) ||
    types.isWeakMap(value) ||
    types.isWeakSet(value) ||
    types.isAnyArrayBuffer(value) ||
    types.isArrayBufferView(value) ||
    types.isDate(value) ||
    types.isRegExp(value) ||
    types.isBoxedPrimitive(value) ||
    types.isExternal(value) ||
    ownData(value, 'globalThis').value === value
  )
}

function isModuleLike(value: object): boolean {
  if (types.isProxy(value)) return false
  return types.isModuleNamespaceObject(value) || ownData(value, Symbol.toStringTag).value === 'Module'
}

/** A module's exports object: ESM (native or Vite's) or CommonJS compiled by TypeScript or Babel. */
function isExports(value: object): boolean {
  return isModuleLike(value) || (!types.isProxy(value) && ownData(value, '__esModule').value === true)
}

/** Names the runners give their own bindings: `__vite_ssr_import_0__`, `__vi_import_0__`, `_interopRequireDefault`. */
function isInternalVariable(name: string): boolean {
  return name.startsWith('__') || name.startsWith('_interop')
}

function keyName(key: PropertyKey): string {
  return typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : String(key)
}

export class HolderProbe {
  private readonly nodes: HolderNode[] = []
  private readonly visited = new Map<object, number>()
  private readonly sizes = new Map<number, number>()
  /** Linked-list nodes met on the walk: their link, and the chain's length from them before the calls. */
  private readonly chains = new Map<number, { key: PropertyKey; length: number }>()
  /** The first element of each array before the calls: a changed one means entries were added at the start. */
  private readonly firstElements = new Map<number, unknown>()
  private readonly scoped: ScopedFunction[] = []
  /** Variables already tracked, by file and name, with their value: functions of one module share its scope. */
  private readonly trackedVariables = new Map<string, unknown>()
  private readonly bridge: Bridge
  private queue: number[] = []
  private pendingFunctions: number[] = []
  private functionsRead = 0
  /** Functions of each dependency script whose scopes were queued. */
  private readonly dependencyFunctions = new Map<string, number>()
  private truncated = false

  /** The first nodes after each tracked chain's head: the walk reaches them too, but they are the same list. */
  private readonly chainMembers = new WeakSet<object>()

  /** Tracks the chain from `value` unless `value` is on one already tracked from nearer its head. */
  private trackChain(index: number, value: object): void {
    if (this.chains.size >= MAX_CHAINS || this.chainMembers.has(value)) return
    const key = linkKey(value)
    if (key === undefined) return
    this.chains.set(index, { key, length: followChain(value, key).length })
    let node: unknown = value
    for (let hop = 0; hop <= MAX_DISTANCE && isObject(node); hop++) {
      this.chainMembers.add(node)
      node = ownData(node, key).value
    }
  }

  private constructor(
    inspector: SyncInspector,
    private readonly scriptUrl: ScriptUrl,
  ) {
    this.bridge = new Bridge(inspector)
  }

  /** Walks from fn (and the global object's own enumerable properties) and notes the sizes it finds. */
  static explore(inspector: SyncInspector, fn: unknown, scriptUrl: ScriptUrl, stopAt: number): HolderProbe {
    const probe = new HolderProbe(inspector, scriptUrl)
    try {
      probe.walk(fn, stopAt)
    } catch (error) {
      probe.release()
      throw error
    }
    return probe
  }

  private walk(fn: unknown, stopAt: number): void {
    if (isObject(fn)) this.add(fn, -1, [{ edgeKind: 'internal', edge: 'fn', ...label(fn) }], 0)
    const global = globalThis as Record<string, unknown>
    for (const key of Object.keys(global)) {
      if (key.startsWith('__')) continue
      const { value } = ownData(global, key)
      if (isObject(value) && typeof value !== 'function') {
        this.add(value, -1, [{ edgeKind: 'variable', edge: `globalThis.${key}`, ...label(value) }], 0)
      }
    }
    while (this.queue.length > 0 || this.pendingFunctions.length > 0) {
      if (now() > stopAt || this.nodes.length >= MAX_NODES) {
        this.truncated = true
        break
      }
      const level = this.queue
      this.queue = []
      for (const index of level) this.expand(index)
      this.readScopes()
    }
    this.queue = []
    this.pendingFunctions = []
  }

  private add(value: object, parent: number, steps: RetainerStep[], distance: number, file?: string): void {
    if (this.visited.has(value) || distance > MAX_DISTANCE || this.nodes.length >= MAX_NODES) return
    const last = steps.at(-1)
    const from = typeof value === 'function' ? undefined : this.classPackage(value)
    if (last && from) last.package = from
    const index = this.nodes.length
    this.nodes.push({ value, parent, steps, distance, file })
    this.visited.set(value, index)
    this.queue.push(index)
  }

  private expand(index: number): void {
    const node = this.nodes[index] as HolderNode
    const { value } = node
    const distance = node.distance + 1
    if (types.isProxy(value)) return
    if (typeof value === 'function') {
      const scriptId = scriptIdOf(value)
      if (scriptId === '') return
      // fn itself is read whoever wrote it: a wrapper's scope holds the user's function.
      const url = scriptId === undefined ? undefined : this.scriptUrl(scriptId)
      if (url !== undefined && index > 0 && !isUserScript(url)) {
        // A dependency's function the user's code reaches directly (an export it calls): its scopes hold the
        // dependency's module state, where a cache the calls fill lives (mustache's templates, luxon's formatters).
        if (node.distance <= DEPENDENCY_SCOPE_DISTANCE && this.takeDependencyScript(url)) this.queueScopes(index)
        return
      }
      this.queueScopes(index)
      // Static members of the user's classes.
      this.addProperties(value, index, distance, false, new Set(['prototype', 'length', 'name', 'caller', 'arguments']))
      return
    }
    if (isOpaque(value)) return
    const size = sizeOf(value)
    if (size !== undefined) this.sizes.set(index, size)
    this.trackChain(index, value)
    try {
      if (Array.isArray(value)) {
        this.firstElements.set(index, ownData(value, 0).value)
        for (const at of new Set([0, value.length - 1])) {
          const element = at >= 0 ? ownData(value, at).value : undefined
          if (isObject(element))
            this.add(element, index, [{ edgeKind: 'element', edge: String(at), ...label(element) }], distance)
        }
        return
      }
      if (types.isMap(value) || types.isSet(value)) {
        for (const [key, entry] of endEntries(value, 1)) {
          const entrySteps = (what: string, item: unknown): RetainerStep[] => [
            { edgeKind: 'internal', edge: 'entry', node: '(entry)', nodeKind: 'hidden' },
            { edgeKind: 'internal', edge: what, ...label(item) },
          ]
          if (isObject(key) && key !== entry) this.add(key, index, entrySteps('key', key), distance)
          if (isObject(entry)) this.add(entry, index, entrySteps('value', entry), distance)
        }
        return
      }
      // A module's exports: TypeScript's and Babel's re-exports, and Vite's exports, are getters that run no user code.
      const exportsFile = this.exportsFile(value)
      this.addProperties(
        value,
        index,
        distance,
        isModuleLike(value) || exportsFile !== undefined,
        undefined,
        exportsFile,
      )
      // The class of an instance leads to the scope of the module that defines it.
      const prototype = Object.getPrototypeOf(value) as object | null
      const ownClass = prototype ? ownData(prototype, 'constructor').value : undefined
      if (typeof ownClass === 'function') {
        this.add(ownClass, index, [{ edgeKind: 'internal', edge: 'constructor', ...label(ownClass) }], distance)
      }
    } catch {
      // An exotic object that refuses to be read: its contents stay unknown.
    }
  }

  private queueScopes(index: number): void {
    if (this.functionsRead + this.pendingFunctions.length < MAX_FUNCTIONS) this.pendingFunctions.push(index)
    else this.truncated = true
  }

  /** True while fewer than DEPENDENCY_FUNCTIONS of this dependency script have had their scopes queued. */
  private takeDependencyScript(url: string): boolean {
    const taken = this.dependencyFunctions.get(url) ?? 0
    if (taken >= DEPENDENCY_FUNCTIONS) return false
    this.dependencyFunctions.set(url, taken + 1)
    return true
  }

  /** The dependency whose code defines the class of `value` (`node:events` for an EventEmitter), if any. */
  private classPackage(value: object): string | undefined {
    if (types.isProxy(value) || Array.isArray(value)) return undefined
    try {
      const prototype = Object.getPrototypeOf(value) as object | null
      const ownClass = prototype ? ownData(prototype, 'constructor').value : undefined
      if (typeof ownClass !== 'function') return undefined
      const scriptId = scriptIdOf(ownClass)
      const url = scriptId ? this.scriptUrl(scriptId) : ''
      return url === '' || isUserScript(url) || isOwnFile(url) ? undefined : packageOf(url)
    } catch {
      return undefined
    }
  }

  /**
   * The file of a module's exports object (ESM namespace, Vite's, or CommonJS from TypeScript or Babel with
   * `__esModule`), found from a function it exports; undefined for other objects.
   */
  private exportsFile(value: object): string | undefined {
    if (!isExports(value)) return undefined
    let keys: PropertyKey[]
    try {
      keys = Reflect.ownKeys(value).slice(0, MAX_KEYS)
    } catch {
      return undefined
    }
    for (const key of keys) {
      const data = ownData(value, key)
      let exported = data.value
      if (!data.found && data.getter) {
        try {
          exported = data.getter.call(value)
        } catch {
          exported = undefined
        }
      }
      if (typeof exported !== 'function') continue
      const scriptId = scriptIdOf(exported)
      const url = scriptId ? this.scriptUrl(scriptId) : ''
      if (isUserScript(url)) return toFile(url)
    }
    return undefined
  }

  /** `exportsFile`: the properties are the module's exports, named as its variables (`bus.ts › bus`). */
  private addProperties(
    value: object,
    index: number,
    distance: number,
    callGetters: boolean,
    skip?: Set<string>,
    exportsFile?: string,
  ) {
    let keys: PropertyKey[]
    try {
      keys = Reflect.ownKeys(value)
    } catch {
      return
    }
    const chosen = keys.length <= MAX_KEYS ? keys : [...keys.slice(0, MAX_KEYS - LAST_KEYS), ...keys.slice(-LAST_KEYS)]
    for (const key of chosen) {
      if (skip?.has(String(key))) continue
      const data = ownData(value, key)
      let child = data.value
      if (!data.found && callGetters && data.getter) {
        try {
          child = data.getter.call(value)
        } catch {
          child = undefined
        }
      }
      if (!isObject(child)) continue
      if (exportsFile && typeof key === 'string') {
        const step: RetainerStep = { edgeKind: 'variable', edge: key, ...label(child) }
        if (!this.reparent(child, index, step, exportsFile)) this.add(child, index, [step], 0, exportsFile)
      } else {
        this.add(child, index, [{ edgeKind: 'property', edge: keyName(key), ...label(child) }], distance)
      }
    }
  }

  /**
   * A module's variable is how the user names what it holds: `bus.ts › bus`, not the export property or an object's
   * field that the walk happened to reach it through first. Moves an object reached another way under `variable`,
   * unless that would make a cycle (the variable's function reached through the object itself).
   */
  private reparent(value: object, owner: number, step: RetainerStep, file: string): boolean {
    const index = this.visited.get(value)
    if (index === undefined) return false
    const node = this.nodes[index] as HolderNode
    const current = node.steps.at(-1)
    if (current?.edgeKind === 'variable' && node.file !== undefined && isUserScript(node.file)) return true
    if (step.edgeKind !== 'variable' || isInternalVariable(step.edge) || !isUserScript(file)) return true
    for (let at = owner; at >= 0; at = (this.nodes[at] as HolderNode).parent) if (at === index) return true
    node.parent = owner
    node.steps = [step]
    node.file = file
    node.distance = 0
    return true
  }

  /** Reads the scopes of the user's functions found in the last level; their variables start the next level. */
  private readScopes(): void {
    const batch = this.pendingFunctions
    this.pendingFunctions = []
    if (batch.length === 0) return
    const ids = this.bridge.remoteIds(batch.map((index) => (this.nodes[index] as HolderNode).value))
    batch.forEach((index, at) => {
      const functionId = ids[at]
      if (!functionId) return
      this.functionsRead++
      let inspected: ReturnType<Bridge['inspect']>
      try {
        inspected = this.bridge.inspect(functionId)
      } catch {
        // A function the inspector cannot describe: its scopes stay unread.
        return
      }
      const { location, scopes } = inspected
      const url = location ? this.scriptUrl(location.scriptId) : ''
      const node = this.nodes[index] as HolderNode
      // A dependency's variables are not the user's: the walk goes on counting hops from the user's variable.
      const dependency = index > 0 && !isUserScript(url)
      if (dependency && (url === '' || url.startsWith('node:'))) return
      const distance = dependency ? node.distance + 1 : 0
      const file = toFile(url)
      const variables: TrackedVariable[] = []
      scopes.forEach((scope, scopeIndex) => {
        if (!scope) return
        for (const name of Object.keys(scope.variables)) {
          const value = scope.variables[name]
          const key = `${file}\u0000${name}`
          if (this.trackedVariables.has(key) && this.trackedVariables.get(key) === value) continue
          this.trackedVariables.set(key, value)
          if (isObject(value)) {
            // An import binding (`bus_1`, `__vite_ssr_import_0__`) is only the way into the other module.
            const binding = typeof value === 'object' && isExports(value)
            const step: RetainerStep = { edgeKind: binding ? 'internal' : 'variable', edge: name, ...label(value) }
            if (!this.reparent(value, index, step, file)) this.add(value, index, [step], distance, file)
          }
          if (isObject(value) || typeof value === 'string') {
            variables.push({ scope: scopeIndex, name, owner: index, file, before: value })
          }
        }
      })
      if (variables.length > 0) this.scoped.push({ functionId, variables })
    })
  }

  /** After `calls` calls: the holders that grew, what they gained and their paths. */
  findings(calls: number): HolderFindings {
    const threshold = Math.max(3, calls * 0.02)
    const grown: Array<{ holder: unknown; delta: number; path: () => PathSteps; node?: number }> = []
    for (const [index, before] of this.sizes) {
      const node = this.nodes[index] as HolderNode
      const delta = (sizeOf(node.value) ?? before) - before
      if (delta >= threshold) grown.push({ holder: node.value, delta, path: () => this.pathTo(index), node: index })
    }
    // A linked list gained nodes: its chain from the head is longer.
    for (const [index, chain] of this.chains) {
      const node = this.nodes[index] as HolderNode
      const delta = followChain(node.value, chain.key).length - chain.length
      if (delta >= threshold) grown.push({ holder: node.value, delta, path: () => this.pathTo(index), node: index })
    }
    // A variable may now hold another array or string than before: `list = [...list, item]`, `log += line`.
    for (const scoped of this.scoped) {
      let scopes: Scope[]
      try {
        scopes = this.bridge.inspect(scoped.functionId).scopes
      } catch {
        continue
      }
      for (const variable of scoped.variables) {
        const current = scopes[variable.scope]?.variables[variable.name]
        if (current === variable.before) continue
        const delta = (sizeOf(current) ?? 0) - (sizeOf(variable.before) ?? Number.POSITIVE_INFINITY)
        if (delta < threshold) continue
        grown.push({
          holder: current,
          delta,
          path: () => {
            const path = this.pathTo(variable.owner)
            path.steps.push({ edgeKind: 'variable', edge: variable.name, ...label(current) })
            path.files.push(variable.file)
            return path
          },
        })
      }
    }
    const depth = (entry: { path: () => PathSteps }) => entry.path().steps.length
    grown.sort((a, b) => b.delta - a.delta || depth(a) - depth(b))
    const types: HeldType[] = []
    const retainers: RetainerPath[] = []
    for (const entry of grown.slice(0, MAX_HOLDERS)) {
      const sample = this.newEntries(entry.node, entry.holder, entry.delta)
      const held = this.describeEntries(sample, entry.delta / calls, typeof entry.holder === 'string')
      for (const type of held) {
        const same = types.find((known) => known.name === type.name && known.kind === type.kind)
        if (same) same.countPerCall = Math.max(same.countPerCall, type.countPerCall)
        else types.push(type)
      }
      const main = held[0]
      if (!main) continue
      const path = entry.path()
      for (const step of sample.at(-1)?.steps ?? []) {
        path.steps.push(step)
        path.files.push(undefined)
      }
      const { steps, files } = foldPath(path.steps, path.files)
      retainers.push({ target: main.name, steps, summary: summarizePath(steps, main.name, (at) => files[at]) })
    }
    types.sort((a, b) => b.countPerCall - a.countPerCall)
    return { types, retainers, visited: this.nodes.length, functions: this.functionsRead, truncated: this.truncated }
  }

  private pathTo(index: number): PathSteps {
    const chain: HolderNode[] = []
    for (let at = index; at >= 0; at = (this.nodes[at] as HolderNode).parent) chain.push(this.nodes[at] as HolderNode)
    chain.reverse()
    const steps: RetainerStep[] = []
    const files: Array<string | undefined> = []
    for (const node of chain) {
      node.steps.forEach((step, at) => {
        steps.push({ ...step })
        files.push(at === node.steps.length - 1 ? node.file : undefined)
      })
    }
    return { steps, files }
  }

  /** The entries a holder gained (the newest few), each with the steps from the holder to it. */
  private newEntries(
    index: number | undefined,
    holder: unknown,
    delta: number,
  ): Array<{ steps: RetainerStep[]; value: unknown }> {
    const count = Math.max(1, Math.min(SAMPLED_ENTRIES, delta))
    const entries: Array<{ steps: RetainerStep[]; value: unknown }> = []
    if (typeof holder === 'string' || !isObject(holder)) return entries
    const chain = index === undefined ? undefined : this.chains.get(index)
    if (chain) {
      // The newest nodes of a queue are at its tail: `.next (Node) × 59,999`.
      const { length, last } = followChain(holder, chain.key, count)
      last.forEach((value, at) => {
        const hops = length - last.length + at
        if (hops > 0) {
          entries.push({
            value,
            steps: [{ edgeKind: 'property', edge: keyName(chain.key), ...label(value), repeat: hops }],
          })
        }
      })
      return entries
    }
    try {
      if (Array.isArray(holder)) {
        const atStart =
          index !== undefined &&
          this.firstElements.has(index) &&
          holder.length > 0 &&
          ownData(holder, 0).value !== this.firstElements.get(index)
        for (let taken = 0; taken < count && taken < holder.length; taken++) {
          const at = atStart ? count - 1 - taken : holder.length - count + taken
          if (at < 0) continue
          const value = ownData(holder, at).value
          entries.push({ value, steps: [{ edgeKind: 'element', edge: String(at), ...label(value) }] })
        }
        return entries
      }
      if (types.isMap(holder) || types.isSet(holder)) {
        for (const [key, value] of endEntries(holder, count).slice(-count)) {
          // A Map whose values are shared (a flag, a constant) leaks its keys.
          const item = isObject(value) || !isObject(key) ? value : key
          entries.push({
            value: item,
            steps: [
              { edgeKind: 'internal', edge: 'entry', node: '(entry)', nodeKind: 'hidden' },
              { edgeKind: 'internal', edge: item === key ? 'key' : 'value', ...label(item) },
            ],
          })
        }
        return entries
      }
      const keys = Reflect.ownKeys(holder).slice(-count)
      for (const key of keys) {
        const value = ownData(holder, key).value
        entries.push({ value, steps: [{ edgeKind: 'property', edge: keyName(key), ...label(value) }] })
      }
    } catch {
      // Unreadable entries: the holder is still named.
    }
    return entries
  }

  /** The types of the new entries, and of the objects each entry brought along (its own array, map…). */
  private describeEntries(sample: Array<{ value: unknown }>, perCall: number, holderIsString: boolean): HeldType[] {
    if (holderIsString) return [{ name: '(string)', kind: 'string', countPerCall: perCall }]
    const counts = new Map<string, { type: HeldType; count: number; example: unknown }>()
    const note = (value: unknown, share: number) => {
      const { node, nodeKind } = label(value)
      const key = `${nodeKind}\u0000${node}`
      const known = counts.get(key)
      if (known) known.count += share
      else counts.set(key, { type: { name: node, kind: nodeKind, countPerCall: 0 }, count: share, example: value })
    }
    const values = sample.map((entry) => entry.value)
    for (const value of values) note(value, 1)
    // Members that differ between two entries were created with each of them.
    const [previous, last] = values.slice(-2)
    if (values.length >= 2 && isObject(last) && isObject(previous) && typeof last !== 'function') {
      let keys: PropertyKey[] = []
      try {
        keys = Reflect.ownKeys(last).slice(0, MEMBER_KEYS)
      } catch {
        keys = []
      }
      for (const key of keys) {
        const mine = ownData(last, key).value
        const theirs = ownData(previous, key).value
        if (isObject(mine) && typeof mine !== 'function' && mine !== theirs) note(mine, values.length)
      }
    }
    const held: HeldType[] = []
    for (const { type, count, example } of counts.values()) {
      type.countPerCall = (perCall * count) / Math.max(values.length, 1)
      if (type.kind === 'closure') type.location = this.locationOf(example)
      held.push(type)
    }
    return held.sort((a, b) => b.countPerCall - a.countPerCall)
  }

  private locationOf(fn: unknown): RawLocation | undefined {
    try {
      const [id] = this.bridge.remoteIds([fn])
      return id ? this.bridge.inspect(id).location : undefined
    } catch {
      return undefined
    }
  }

  release(): void {
    this.bridge.release()
    this.nodes.length = 0
    this.visited.clear()
    this.scoped.length = 0
    this.trackedVariables.clear()
  }
}

/** The first and last `count` entries of a Map or Set, as [key, value] (a Set's key is its value). */
function endEntries(collection: Map<unknown, unknown> | Set<unknown>, count: number): Array<[unknown, unknown]> {
  const first: Array<[unknown, unknown]> = []
  const last: Array<[unknown, unknown]> = []
  const iterator = types.isMap(collection)
    ? Map.prototype.entries.call(collection)
    : (Set.prototype.entries.call(collection) as IterableIterator<[unknown, unknown]>)
  for (const entry of iterator as IterableIterator<[unknown, unknown]>) {
    if (first.length < count) first.push(entry)
    else {
      last.push(entry)
      if (last.length > count) last.shift()
    }
  }
  return [...first, ...last]
}
