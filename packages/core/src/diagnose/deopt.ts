import v8 from 'node:v8'
import vm from 'node:vm'

/**
 * Optimised code inlines callees into their callers, and V8's sampling heap profiler names only the physical frames:
 * an allocation in `openSession`, inlined into the test's arrow, is charged to the arrow, and the arrow itself may be
 * inlined into leakproof's call loop (compiled on the stack during a long batch, OSR). For its few hundred calls the
 * diagnosis runs the measured function deoptimised and the call loop with its compiled code cleared, with optimisation
 * off, so every JS function is a frame of its own. The flags go back to what they were afterwards.
 */
interface Natives {
  /** `%DeoptimizeFunction`: drops a function's optimised code. */
  deoptimize: (fn: unknown) => void
  /** `%ClearFunctionFeedback`: drops its feedback, and with it the loop code compiled on the stack (OSR). */
  clearFeedback: (fn: unknown) => void
  /** `%FinalizeOptimization`: waits for the compiler threads' jobs in flight and installs their code. */
  finishCompiling: () => void
}

let natives: Natives | undefined | null

/** The two runtime functions, compiled once with natives syntax allowed for that one compilation. */
function nativesSyntax(): Natives | undefined {
  if (natives !== undefined) return natives ?? undefined
  try {
    v8.setFlagsFromString('--allow-natives-syntax')
    natives = {
      deoptimize: vm.runInThisContext('(function leakproofDeoptimize(fn) { %DeoptimizeFunction(fn) })'),
      clearFeedback: vm.runInThisContext('(function leakproofClearFeedback(fn) { %ClearFunctionFeedback(fn) })'),
      finishCompiling: vm.runInThisContext('(function leakproofFinishCompiling() { %FinalizeOptimization() })'),
    }
  } catch {
    natives = null
  } finally {
    if (!flagGivenByUser('allow-natives-syntax')) v8.setFlagsFromString('--no-allow-natives-syntax')
  }
  return natives ?? undefined
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
 * Deoptimises `functions`, clears the compiled code of `harness` (leakproof's own functions: their feedback is
 * relearned) and keeps V8 from optimising anything until the returned function is called. Returns a no-op when
 * natives syntax is unavailable, or when the user chose the optimisation flags (then they are left alone).
 */
export function runUnoptimized(functions: readonly unknown[], harness: readonly unknown[]): () => void {
  const runtime = nativesSyntax()
  if (!runtime || flagGivenByUser('turbofan') || flagGivenByUser('opt') || flagGivenByUser('maglev')) return () => {}
  if (userFlags().includes('--jitless')) return () => {}
  v8.setFlagsFromString('--no-turbofan')
  v8.setFlagsFromString('--no-maglev')
  // A compile job already in flight would install its optimised code after the deoptimisation: let them land first.
  try {
    runtime.finishCompiling()
  } catch {
    // Nothing in flight, or the runtime refused: the deoptimisation below still applies to what is installed.
  }
  const each = (list: readonly unknown[], action: (fn: unknown) => void) => {
    for (const fn of list) {
      try {
        action(fn)
      } catch {
        // Not a JS function V8 can deoptimise (a bound or native function): its frames stay as they are.
      }
    }
  }
  each(functions, runtime.deoptimize)
  each(harness, runtime.deoptimize)
  each(harness, runtime.clearFeedback)
  let restored = false
  return () => {
    if (restored) return
    restored = true
    v8.setFlagsFromString('--turbofan')
    v8.setFlagsFromString(maglevByDefault ? '--maglev' : '--no-maglev')
  }
}
