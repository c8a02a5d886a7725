import v8 from 'node:v8'
import vm from 'node:vm'
import { flagGivenByUser, holdOptimization, mayChangeOptimization } from '../engine/optimization.js'
import type { SyncInspector } from './inspector.js'

/**
 * Optimised code inlines callees into their callers, and V8's sampling heap profiler names only the physical frames:
 * an allocation in `openSession`, inlined into the test's arrow, is charged to the arrow, and the arrow itself may be
 * inlined into leakproof's call loop (compiled on the stack during a long batch, OSR). For its few hundred calls the
 * diagnosis drops every optimised function (`deoptimizeAll`) and keeps optimisation off, so every JS function is a
 * frame of its own. The flags go back to what they were afterwards.
 */
interface Natives {
  /** `%DeoptimizeFunction`: drops a function's optimised code. */
  deoptimize?: (fn: unknown) => void
  /** `%ClearFunctionFeedback`: drops its feedback, and with it the loop code compiled on the stack (OSR). */
  clearFeedback?: (fn: unknown) => void
  /** `%FinalizeOptimization`: waits for the compiler threads' jobs in flight and installs their code. */
  finishCompiling?: () => void
  /** `%FunctionGetScriptId`: the script a JS function was compiled from; -1 for native and bound functions. */
  scriptId?: (fn: unknown) => number
}

let natives: Natives | undefined

/** The runtime functions, compiled once with natives syntax allowed for that one compilation; each may be missing. */
function nativesSyntax(): Natives {
  if (natives) return natives
  natives = {}
  const compile = <T>(source: string): T | undefined => {
    try {
      return vm.runInThisContext(source) as T
    } catch {
      return undefined
    }
  }
  try {
    v8.setFlagsFromString('--allow-natives-syntax')
    natives = {
      deoptimize: compile('(function leakproofDeoptimize(fn) { %DeoptimizeFunction(fn) })'),
      clearFeedback: compile('(function leakproofClearFeedback(fn) { %ClearFunctionFeedback(fn) })'),
      finishCompiling: compile('(function leakproofFinishCompiling() { %FinalizeOptimization() })'),
      scriptId: compile('(function leakproofScriptId(fn) { return %FunctionGetScriptId(fn) })'),
    }
  } catch {
    // The flag is refused: no natives.
  } finally {
    if (!flagGivenByUser('allow-natives-syntax')) v8.setFlagsFromString('--no-allow-natives-syntax')
  }
  return natives
}

/** The id of the script `fn` was compiled from, '' for native and bound functions, undefined when unknown. */
export function scriptIdOf(fn: unknown): string | undefined {
  const scriptId = nativesSyntax().scriptId
  if (!scriptId) return undefined
  try {
    const id = scriptId(fn)
    return id < 0 ? '' : String(id)
  } catch {
    return undefined
  }
}

/**
 * Deoptimises `functions`, clears the compiled code of `harness` (leakproof's own functions: their feedback is
 * relearned) and keeps V8 from optimising anything until the returned function is called. Returns a no-op when the
 * user chose the optimisation flags (then they are left alone).
 */
export function runUnoptimized(functions: readonly unknown[], harness: readonly unknown[]): () => void {
  if (!mayChangeOptimization()) return () => {}
  const release = holdOptimization()
  const runtime = nativesSyntax()
  // A compile job already in flight would install its optimised code after the deoptimisation: let them land first.
  try {
    runtime.finishCompiling?.()
  } catch {
    // Nothing in flight, or the runtime refused: the deoptimisation below still applies to what is installed.
  }
  const each = (list: readonly unknown[], action: ((fn: unknown) => void) | undefined) => {
    for (const fn of list) {
      try {
        action?.(fn)
      } catch {
        // Not a JS function V8 can deoptimise (a bound or native function): its frames stay as they are.
      }
    }
  }
  each(functions, runtime.deoptimize)
  each(harness, runtime.deoptimize)
  each(harness, runtime.clearFeedback)
  return release
}

/**
 * Drops all optimised code in the isolate, which `runUnoptimized` cannot: the functions fn calls were optimised during
 * the measurement with their callees inlined (`handleRequest` with `subscribe` in it), and the diagnosis has no
 * reference to them. V8 deoptimises everything when a breakpoint is first set at the entry of a built-in function
 * ("in case the function is inlined anywhere"); the breakpoint, on a built-in nobody calls and with a condition that
 * is never true, is removed at once. Costs one heap walk (20–40 ms here). Returns why not when it could not.
 */
export function deoptimizeAll(inspector: SyncInspector): string | undefined {
  if (!mayChangeOptimization()) return 'the optimisation flags were given on the command line'
  let enabled = false
  try {
    inspector.post('Debugger.enable')
    enabled = true
    // The main context's own copy, whatever realm the user's code runs in: the deoptimisation is isolate-wide.
    const { result } = inspector.post<{ result: { objectId?: string } }>('Runtime.evaluate', {
      expression: 'String.prototype.anchor',
    })
    if (!result.objectId) return 'no built-in function to set the breakpoint on'
    try {
      const { breakpointId } = inspector.post<{ breakpointId: string }>('Debugger.setBreakpointOnFunctionCall', {
        objectId: result.objectId,
        condition: 'false',
      })
      inspector.post('Debugger.removeBreakpoint', { breakpointId })
    } finally {
      inspector.post('Runtime.releaseObject', { objectId: result.objectId })
    }
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    if (enabled) {
      try {
        inspector.post('Debugger.disable')
      } catch {
        // The session is closed after the diagnosis anyway.
      }
    }
  }
}
