import v8 from 'node:v8'
import vm from 'node:vm'

/**
 * Optimised code inlines callees into their callers, and V8's sampling heap profiler names only the physical frames:
 * an allocation in `openSession`, inlined into the test's arrow, is charged to the arrow. For its few hundred calls
 * the diagnosis runs the measured function (and leakproof's call loop, into which V8 may inline it) deoptimised, with
 * optimisation off, so every JS function is a frame of its own. The flags go back to what they were afterwards.
 */
type Deoptimize = (fn: unknown) => void

let deoptimize: Deoptimize | undefined | null

/** `%DeoptimizeFunction`, compiled once with natives syntax allowed for that one compilation. */
function deoptimizer(): Deoptimize | undefined {
  if (deoptimize !== undefined) return deoptimize ?? undefined
  try {
    v8.setFlagsFromString('--allow-natives-syntax')
    deoptimize = vm.runInThisContext('(function leakproofDeoptimize(fn) { %DeoptimizeFunction(fn) })') as Deoptimize
  } catch {
    deoptimize = null
  } finally {
    if (!flagGivenByUser('allow-natives-syntax')) v8.setFlagsFromString('--no-allow-natives-syntax')
  }
  return deoptimize ?? undefined
}

/** Command-line and NODE_OPTIONS flags, normalised to `--name` / `--no-name` with dashes. */
function userFlags(): string[] {
  const all = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  return all.filter((flag) => flag.startsWith('--')).map((flag) => flag.split('=')[0]?.replaceAll('_', '-') ?? flag)
}

function flagGivenByUser(name: string): boolean {
  const flags = userFlags()
  return flags.includes(`--${name}`) || flags.includes(`--no-${name}`)
}

/** Node 20's V8 (11.3) ships Maglev off; from Node 22 it is on. */
const maglevByDefault = Number(process.versions.v8.split('.')[0]) >= 12

/**
 * Deoptimises `functions` and keeps V8 from optimising anything until the returned function is called. Returns a
 * no-op when natives syntax is unavailable, or when the user chose the optimisation flags (then they are left alone).
 */
export function runUnoptimized(functions: readonly unknown[]): () => void {
  const deopt = deoptimizer()
  if (!deopt || flagGivenByUser('turbofan') || flagGivenByUser('opt') || flagGivenByUser('maglev')) return () => {}
  if (userFlags().includes('--jitless')) return () => {}
  v8.setFlagsFromString('--no-turbofan')
  v8.setFlagsFromString('--no-maglev')
  for (const fn of functions) {
    try {
      deopt(fn)
    } catch {
      // Not a JS function V8 can deoptimise (a bound or native function): its frames stay as they are.
    }
  }
  let restored = false
  return () => {
    if (restored) return
    restored = true
    v8.setFlagsFromString('--turbofan')
    v8.setFlagsFromString(maglevByDefault ? '--maglev' : '--no-maglev')
  }
}
