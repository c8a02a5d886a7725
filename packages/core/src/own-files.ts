/**
 * Where leakproof's own code lives as V8 runs it: `dist/` when bundled, `src/` when run from source. Stack frames and
 * profile frames under it are the harness, not the user. Read from raw call sites: a stack string may have gone
 * through source-map-support (Jest installs it) and name the original files instead.
 */
function ownDirectory(): string | undefined {
  const limit = Error.stackTraceLimit
  const prepare = Error.prepareStackTrace
  let file: string | undefined
  try {
    Error.stackTraceLimit = 1
    Error.prepareStackTrace = (_error, callSites) => callSites
    const holder: { stack?: unknown } = {}
    Error.captureStackTrace(holder, ownDirectory)
    const [site] = Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : []
    file = site?.getFileName() ?? site?.getScriptNameOrSourceURL() ?? undefined
  } catch {
    file = undefined
  } finally {
    Error.stackTraceLimit = limit
    Error.prepareStackTrace = prepare
  }
  if (!file) return undefined
  const path = toPath(file)
  return path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1)
}

function toPath(file: string): string {
  return file.startsWith('file://') ? decodeURIComponent(file.slice('file://'.length)) : file
}

const OWN_DIRECTORY = ownDirectory()

/** True for a file (path or file: URL) of leakproof's own code. */
export function isOwnFile(file: string): boolean {
  return OWN_DIRECTORY !== undefined && toPath(file).startsWith(OWN_DIRECTORY)
}
