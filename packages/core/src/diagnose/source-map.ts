import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { originalPositionFor, sourceContentFor, TraceMap } from '@jridgewell/trace-mapping'
import type { SyncInspector } from './inspector.js'
import type { SourcePosition } from './types.js'

interface ScriptInfo {
  url: string
  sourceMapURL: string
}

/** Scripts V8 has compiled, by script id, as `Debugger.scriptParsed` lists them. */
export type ScriptTable = Map<string, ScriptInfo>

/** A `Debugger.scriptParsed` listener that records into `scripts`. */
export function recordScripts(scripts: ScriptTable): (params: Record<string, unknown>) => void {
  return (params) => {
    scripts.set(String(params.scriptId), {
      url: String(params.url ?? ''),
      sourceMapURL: String(params.sourceMapURL ?? ''),
    })
  }
}

/** Enabling the debugger replays `scriptParsed` for every script compiled so far; it is disabled again after. */
export function listScripts(inspector: SyncInspector, scripts: ScriptTable = new Map()): ScriptTable {
  inspector.collect('Debugger.scriptParsed', recordScripts(scripts), () => inspector.post('Debugger.enable'))
  inspector.post('Debugger.disable')
  return scripts
}

/** Maps positions in the code V8 ran (transformed by Vitest, ts-jest, tsx…) to the user's original source. */
export class SourceMapper {
  private readonly maps = new Map<string, TraceMap | null>()
  private readonly texts = new Map<string, string | null>()
  /** Script ids by the path of their file (or their url), built when a frame is first mapped. */
  private byFile?: Map<string, string>

  /**
   * `refresh` lists the scripts again when a position names a script the table does not know (compiled after it was
   * made); once at most, as listing costs a message per script.
   */
  constructor(
    private readonly scripts: ScriptTable,
    private refresh?: (scripts: ScriptTable) => void,
  ) {}

  /** Lists the scripts V8 has compiled, then maps positions in them. */
  static fromInspector(inspector: SyncInspector): SourceMapper {
    return new SourceMapper(listScripts(inspector))
  }

  private script(scriptId: string): ScriptInfo | undefined {
    const known = this.scripts.get(scriptId)
    if (known || !this.refresh || scriptId === '' || scriptId === '0') return known
    const refresh = this.refresh
    this.refresh = undefined
    try {
      refresh(this.scripts)
    } catch {
      // The positions stay in the code V8 ran.
    }
    return this.scripts.get(scriptId)
  }

  scriptUrl(scriptId: string): string {
    return this.script(scriptId)?.url ?? ''
  }

  /** `line` and `column` are 0-based, as V8 reports them. */
  map(scriptId: string, url: string, line: number, column: number): SourcePosition {
    const scriptUrl = url || this.scriptUrl(scriptId)
    const traceMap = this.traceMap(scriptId, scriptUrl)
    if (traceMap) {
      const original = originalPositionFor(traceMap, { line: line + 1, column })
      if (original.source !== null && original.line !== null) {
        const file = displayPath(original.source)
        if (!this.texts.has(file)) this.texts.set(file, sourceContentFor(traceMap, original.source))
        return { file, line: original.line, column: (original.column ?? 0) + 1, mapped: true }
      }
    }
    return { file: displayPath(scriptUrl), line: line + 1, column: column + 1, mapped: false }
  }

  /**
   * A stack frame as the handle and listener probes write it (`subscribe (/app/src/bus.ts:9:7)` or
   * `/app/src/bus.ts:9:7`, positions in the code as it ran) with its position in the user's source, when the script
   * that ran has a source map; the frame as it was otherwise.
   */
  mapFrame(frame: string): string {
    const match = /^(?:(.*) \()?(.+):(\d+):(\d+)(\)?)$/.exec(frame)
    if (!match) return frame
    const [, name, file = '', line = '0', column = '0'] = match
    const scriptId = this.scriptIdOf(file)
    if (scriptId === undefined) return frame
    const position = this.map(scriptId, '', Number(line) - 1, Number(column) - 1)
    if (!position.mapped) return frame
    const mapped = `${position.file}:${position.line}:${position.column}`
    return name === undefined ? mapped : `${name} (${mapped})`
  }

  private scriptIdOf(file: string): string | undefined {
    if (!this.byFile) {
      this.byFile = new Map()
      for (const [scriptId, { url }] of this.scripts) this.byFile.set(toPath(url) ?? url, scriptId)
    }
    return this.byFile.get(file)
  }

  /** The text of a source file: embedded in its source map, or read from disk. */
  sourceText(file: string): string | undefined {
    let text = this.texts.get(file)
    if (text === undefined) {
      text = null
      try {
        if (existsSync(file)) text = readFileSync(file, 'utf8')
      } catch {
        text = null
      }
      this.texts.set(file, text)
    }
    return text ?? undefined
  }

  private traceMap(scriptId: string, scriptUrl: string): TraceMap | null {
    const cached = this.maps.get(scriptId)
    if (cached !== undefined) return cached
    let traceMap: TraceMap | null = null
    const sourceMapURL = this.script(scriptId)?.sourceMapURL ?? ''
    try {
      const json = sourceMapURL ? loadSourceMap(sourceMapURL, scriptUrl) : undefined
      if (json) traceMap = new TraceMap(json, scriptUrl.startsWith('/') ? `file://${scriptUrl}` : scriptUrl)
    } catch {
      traceMap = null
    }
    this.maps.set(scriptId, traceMap)
    return traceMap
  }
}

function loadSourceMap(sourceMapURL: string, scriptUrl: string): string | undefined {
  if (sourceMapURL.startsWith('data:')) {
    const comma = sourceMapURL.indexOf(',')
    const header = sourceMapURL.slice(0, comma)
    const body = sourceMapURL.slice(comma + 1)
    return header.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body)
  }
  const scriptPath = toPath(scriptUrl)
  if (!scriptPath) return undefined
  const mapPath = sourceMapURL.startsWith('file:')
    ? fileURLToPath(sourceMapURL)
    : resolve(dirname(scriptPath), sourceMapURL)
  return existsSync(mapPath) ? readFileSync(mapPath, 'utf8') : undefined
}

function toPath(url: string): string | undefined {
  if (url.startsWith('file:')) return fileURLToPath(url)
  if (url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url)) return url
  return undefined
}

function displayPath(source: string): string {
  return toPath(source) ?? source
}
