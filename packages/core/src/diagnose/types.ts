/** How far diagnosis goes: allocation sites only (no walk, no snapshot), plus growing types, plus retainer paths. */
export type DiagnoseDepth = 'sites' | 'types' | 'retainers'

/** The `diagnose` option: what to find out when a leak is confirmed. */
export interface DiagnoseOptions {
  /**
   * `'sites'`: allocation sites only (sampling heap profiler); `'types'`: also the growing types (from the growth of
   * what fn reaches, or a heap snapshot when nothing it reaches grew); `'retainers'` (default): also what holds them.
   */
  depth?: DiagnoseDepth
  /** Write the heap snapshot taken after the diagnosis calls to this file (open it in Chrome DevTools › Memory). */
  heapSnapshotPath?: string
  /** Calls of fn made by the diagnosis. Default: enough for ~256 KiB of leaked memory within ~250 ms (30–20,000). */
  calls?: number
}

/** Resolved `diagnose` option. */
export interface DiagnoseSettings {
  depth: DiagnoseDepth
  heapSnapshotPath: string | undefined
  /** Undefined: sized from the measured leak rate and call speed. */
  calls: number | undefined
}

/** A position in source code: the user's original file when a source map was found, else the code V8 ran. */
export interface SourcePosition {
  /** File path or URL. */
  file: string
  /** 1-based line. */
  line: number
  /** 1-based column. */
  column: number
  /** True when the position went through a source map to the original source. */
  mapped: boolean
}

/** A type whose live instances grew during diagnosis (heap snapshots before and after `calls` calls). */
export interface GrowingType {
  /** Constructor name for objects, function name for closures, V8's name for internal types ("(string)", …). */
  name: string
  /** V8 heap snapshot node type: 'object', 'closure', 'string', 'array', 'hidden', 'code', … */
  kind: string
  /** New live instances per call. */
  countPerCall: number
  /**
   * Self (shallow) bytes of the new live instances per call, from a heap snapshot. Absent when the type was found as
   * the new entries of the holder that grew (no snapshot taken).
   */
  bytesPerCall?: number
  /** Where a leaked closure was created (the function's own position). */
  location?: SourcePosition
}

/** A function whose allocations outlived the calls, from the sampling heap profiler. */
export interface AllocationSite {
  /** Function name (`(anonymous)` when it has none). */
  function: string
  /** The allocation line when it could be pinned down in the source (see `precision`), else the function start. */
  position: SourcePosition
  /** Where the allocating function starts. */
  functionPosition: SourcePosition
  /**
   * 'statement': a line in the function that allocates a growing type (`new Session(`, a closure V8 located);
   * 'function': V8 names the allocating function only, and no such line was found in it.
   */
  precision: 'statement' | 'function'
  /** Estimated live bytes per call allocated here (sampled, scaled by V8). */
  bytesPerCall: number
  /** Callers, nearest first, as "name (file:line)" (where each caller starts). */
  stack: string[]
  /**
   * When most of it was allocated inside a dependency the function called (Node's `events`, a package in
   * `node_modules`): that package and function. `position` is then the line of the call when it was found.
   */
  calls?: { package: string; function: string }
}

/** One hop in a retainer path: the edge taken and the object it leads to. */
export interface RetainerStep {
  /**
   * 'variable' (closure or module scope), 'property', 'element', 'internal', 'hidden', 'shortcut'; 'elided' for the
   * hops left out of the middle of a very long path (`repeat` of them).
   */
  edgeKind: string
  /** Variable or property name, or element index. */
  edge: string
  /** Type name of the object reached. */
  node: string
  /** V8 heap snapshot node type of the object reached. */
  nodeKind: string
  /** The dependency that defines the object's class ("node:events", "rxjs"), when it is not the user's own. */
  package?: string
  /** This hop repeats this many times in a row (a linked list's `.next (Node)`): one step stands for all of them. */
  repeat?: number
}

/** A shortest path of strong references from a GC root to one leaked object. */
export interface RetainerPath {
  /** The growing type whose object this path leads to. */
  target: string
  /** Every hop from the root, runtime internals included. */
  steps: RetainerStep[]
  /** The path as a user reads it: internals trimmed, starting at the first named variable of their code. */
  summary: string
}

export interface LeakDiagnosis {
  /** Depth that was asked for. */
  depth: DiagnoseDepth
  /** Calls of fn made by the diagnosis (after the measurement). */
  calls: number
  /** Wall time of the diagnosis, milliseconds. */
  durationMs: number
  /**
   * How the answers were found: 'sampling heap profiler' (sites), 'growth of what fn reaches' (types and holders from
   * the sizes of what fn's closures reach, before and after the calls), 'heap snapshot diff'.
   */
  methods: string[]
  /** Where that time went, ms per phase (deopt, gc, holders, mark, calls, settle, snapshot, parse, profile, explain). */
  phasesMs?: Record<string, number>
  /** Types that grew, largest bytes per call first. Empty when not measured (see `notes`). */
  types: GrowingType[]
  /** Allocation sites of memory that stayed alive, largest first. */
  sites: AllocationSite[]
  /** Retainer paths for the leading growing types. */
  retainers: RetainerPath[]
  /** Where the heap snapshot taken after the calls was written, when `heapSnapshotPath` was given. */
  heapSnapshotPath?: string
  /** What could not be done and why (a part degraded or skipped). */
  notes: string[]
}
