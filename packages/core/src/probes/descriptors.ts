import fs from 'node:fs'

/**
 * Where the process's open file descriptors are listed: Linux `/proc/self/fd`, macOS `/dev/fd`. Elsewhere (Windows)
 * there is no such listing, and descriptors are not measured.
 */
const LISTING: string | undefined =
  process.platform === 'linux' ? '/proc/self/fd' : process.platform === 'darwin' ? '/dev/fd' : undefined

/** Errors that mean "no descriptor is free" (per process, or system-wide). */
const OUT_OF_DESCRIPTORS = new Set(['EMFILE', 'ENFILE'])

/** Descriptors labelled at most, at the start or the end (a runaway leak stops at a few thousand). */
const MAX_LABELLED = 20_000

/** An open descriptor, labelled: what it is and, for a file, its path. */
export interface DescriptorLabel {
  /** `file` (any path: regular file, directory, device), `socket`, `pipe`, `anon_inode`, `directory`, `device`… */
  kind: string
  /** The path of a file, the name of an anonymous inode (`eventpoll`, `eventfd`); empty when the OS says no more. */
  target: string
}

/** Descriptors that were not open at the start, grouped by kind and by target pattern. */
export interface DescriptorGroup {
  kind: string
  /** A file's path with runs of digits as `*` (one file per call forms one group); else as in the label. */
  target: string
  /** One of the group's targets as it is, for a file. */
  example: string
  /** Open now and not at the start. */
  count: number
}

const isOutOfDescriptors = (error: unknown) => OUT_OF_DESCRIPTORS.has((error as NodeJS.ErrnoException)?.code ?? '')

/**
 * Counts the process's open descriptors. On Linux 6.2 and later, `stat('/proc/self/fd').size` is the count, at no
 * descriptor's cost (~4 µs); elsewhere the listing is read (~30 µs for 50 entries), which needs a descriptor itself:
 * the probe keeps one in reserve (`/dev/null`), and when none is free (a leak used them all up) it closes the
 * reserve, reads, and opens it again, so the count stays the same either way. Counts leave out the probe's own.
 *
 * The count is per process: under worker threads it includes what the other threads open.
 */
export class DescriptorProbe {
  private reserve: number | undefined
  private readonly statCounts: boolean
  /** False when the platform has no listing, or no descriptor was free to read it: the metric is not measured. */
  available: boolean

  /** `stat: false` reads the listing even where `stat` gives the count (to test the listing's path). */
  constructor(options: { stat?: boolean } = {}) {
    this.available = LISTING !== undefined
    if (!this.available) {
      this.statCounts = false
      return
    }
    try {
      this.reserve = fs.openSync('/dev/null', 'r')
    } catch {
      this.reserve = undefined
    }
    this.statCounts = options.stat !== false && this.statMatchesListing()
    if (this.count() === undefined) this.available = false
  }

  /** Open descriptors now, the probe's own left out; undefined when they cannot be read. */
  count(): number | undefined {
    if (!this.available) return undefined
    const own = this.reserve === undefined ? 0 : 1
    if (this.statCounts) {
      const size = statSize()
      if (size !== undefined && size > 0) return size - own
    }
    const names = this.readListing()
    if (names === undefined) return undefined
    // The listing shows the descriptor that reads it, and the reserve unless it was closed to read it.
    return names.length - 1 - (this.reserve === undefined ? 0 : own)
  }

  /** The open descriptors, labelled (at most MAX_LABELLED); undefined when they cannot be read. */
  labels(): Map<number, DescriptorLabel> | undefined {
    if (!this.available) return undefined
    const names = this.readListing()
    if (names === undefined) return undefined
    const labels = new Map<number, DescriptorLabel>()
    for (const name of names) {
      const fd = Number(name)
      if (name === '' || !Number.isInteger(fd) || fd === this.reserve || labels.size >= MAX_LABELLED) continue
      const label = labelOf(fd)
      // The listing's own descriptor is closed by now.
      if (label !== undefined) labels.set(fd, label)
    }
    return labels
  }

  /** Closes the reserve. */
  close(): void {
    if (this.reserve === undefined) return
    try {
      fs.closeSync(this.reserve)
    } catch {}
    this.reserve = undefined
  }

  private readListing(): string[] | undefined {
    try {
      return fs.readdirSync(LISTING as string)
    } catch (error) {
      if (!isOutOfDescriptors(error) || this.reserve === undefined) return undefined
    }
    // No descriptor free: the reserve's, for the listing, then back to the reserve.
    this.close()
    let names: string[] | undefined
    try {
      names = fs.readdirSync(LISTING as string)
    } catch {
      names = undefined
    }
    try {
      this.reserve = fs.openSync('/dev/null', 'r')
    } catch {
      this.reserve = undefined
    }
    // Read without the reserve: one fewer entry than the count expects, which adds it back.
    return names === undefined ? undefined : this.reserve === undefined ? names : [...names, '']
  }

  /** True when `stat` gives the count (Linux 6.2+): its size is the listing's length less the listing's own. */
  private statMatchesListing(): boolean {
    if (process.platform !== 'linux') return false
    const size = statSize()
    if (size === undefined || size <= 0) return false
    const names = this.readListing()
    return names !== undefined && names.length - 1 === size
  }
}

function statSize(): number | undefined {
  try {
    return fs.statSync(LISTING as string).size
  } catch {
    return undefined
  }
}

/** What a descriptor is: on Linux its link (a path, `socket:[ino]`, `pipe:[ino]`, `anon_inode:[eventpoll]`); on macOS its file type. */
function labelOf(fd: number): DescriptorLabel | undefined {
  if (process.platform === 'linux') {
    let link: string
    try {
      link = fs.readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      return undefined
    }
    if (link.startsWith('/')) return { kind: 'file', target: link }
    const match = /^([a-z_]+):\[?([^\]]*)\]?$/.exec(link)
    if (!match) return { kind: 'other', target: link }
    const [, kind = 'other', detail = ''] = match
    // A socket's or a pipe's inode number differs for each one: the kind is what groups them.
    if (kind === 'socket' || kind === 'pipe') return { kind, target: '' }
    return { kind, target: detail }
  }
  let stats: fs.Stats
  try {
    stats = fs.fstatSync(fd)
  } catch {
    return undefined
  }
  const kind = stats.isFile()
    ? 'file'
    : stats.isSocket()
      ? 'socket'
      : stats.isFIFO()
        ? 'pipe'
        : stats.isDirectory()
          ? 'directory'
          : stats.isCharacterDevice() || stats.isBlockDevice()
            ? 'device'
            : 'other'
  return { kind, target: '' }
}

/** A path with runs of digits as `*`: `/tmp/log-17.txt` → `/tmp/log-*.txt`. */
export function pathPattern(path: string): string {
  return path.replace(/\d+/g, '*')
}

/**
 * Descriptors open at the end and not at the start (or open at the start as something else: a number reused),
 * grouped by kind and target pattern, most first. A group's target keeps the directory its paths share as it is
 * (`/tmp/x7k2/log-*.txt`: the random name of a temporary directory keeps its digits).
 */
export function newDescriptorGroups(
  start: ReadonlyMap<number, DescriptorLabel>,
  end: ReadonlyMap<number, DescriptorLabel>,
): DescriptorGroup[] {
  const groups = new Map<string, DescriptorGroup & { sharedDirectory: string; samePath: boolean }>()
  for (const [fd, label] of end) {
    const before = start.get(fd)
    if (before !== undefined && before.kind === label.kind && before.target === label.target) continue
    const isFile = label.kind === 'file'
    const key = `${label.kind}\0${isFile ? pathPattern(label.target) : label.target}`
    const group = groups.get(key)
    if (group) {
      group.count++
      if (isFile) group.sharedDirectory = sharedDirectory(group.sharedDirectory, label.target)
      if (label.target !== group.example) group.samePath = false
    } else {
      const sharedDirectory = isFile ? label.target.slice(0, label.target.lastIndexOf('/') + 1) : ''
      const example = isFile ? label.target : ''
      groups.set(key, { ...label, example, count: 1, sharedDirectory, samePath: true })
    }
  }
  return [...groups.values()]
    .map(({ sharedDirectory: shared, samePath, ...group }) => ({
      ...group,
      // One path opened again and again keeps its digits.
      target:
        group.kind === 'file' && !samePath
          ? `${shared}${pathPattern(group.example.slice(shared.length))}`
          : group.target,
    }))
    .sort((a, b) => b.count - a.count)
}

/** The longest directory (ending in `/`) that `directory` and `path` both start with. */
function sharedDirectory(directory: string, path: string): string {
  let length = 0
  while (length < directory.length && directory[length] === path[length]) length++
  return directory.slice(0, directory.lastIndexOf('/', length - 1) + 1)
}

/**
 * The soft limit on open descriptors (`Max open files` in `/proc/self/limits`, Linux); undefined when unknown.
 * Node raises the soft limit to the hard one at start-up, so this is what the process can open.
 */
export function descriptorLimit(): number | undefined {
  if (process.platform !== 'linux') return undefined
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'))
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0]
    const value = Number(soft)
    return Number.isFinite(value) && value > 0 ? value : undefined
  } catch {
    return undefined
  }
}
