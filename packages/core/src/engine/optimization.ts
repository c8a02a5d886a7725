import v8 from 'node:v8'

/**
 * V8's optimising compilers (TurboFan, and Maglev from Node 22) keep compiling and re-compiling the functions a call
 * runs for thousands of calls, and every optimisation leaves metadata in the old space (deoptimisation data, feedback,
 * on Node 20 the bytecode too) that a reading counts: an HTTP request per call through axios grows the heap by 300 B
 * per call over its first 2,000 calls and still 10 B per call at 10,000, with nothing retained (with optimisation held
 * after 50 calls: +1.6 KiB over 4,500 calls). A measurement holds optimisation from the end of its warm-up: the code
 * optimised by then stays optimised, nothing new is compiled, and clean lifecycles read flat.
 */

/** Command-line and NODE_OPTIONS flags, normalised to `--name` / `--no-name` with dashes. */
function userFlags(): string[] {
  const all = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
  return all.filter((flag) => flag.startsWith('--')).map((flag) => flag.split('=')[0]?.replaceAll('_', '-') ?? flag)
}

export function flagGivenByUser(name: string): boolean {
  const flags = userFlags()
  return flags.includes(`--${name}`) || flags.includes(`--no-${name}`)
}

/** Node 20's V8 (11.3) ships Maglev off; from Node 22 it is on. */
const maglevByDefault = Number(process.versions.v8.split('.')[0]) >= 12

/** False when the user chose the optimisation flags (they are left alone then) or when nothing is optimised. */
export function mayChangeOptimization(): boolean {
  if (flagGivenByUser('turbofan') || flagGivenByUser('opt') || flagGivenByUser('maglev')) return false
  return !userFlags().includes('--jitless')
}

/** Holders of the optimisation flags right now: the measurement and the diagnosis may hold them at once. */
let holds = 0

/**
 * Keeps V8 from optimising anything new until the returned function is called (once; later calls do nothing).
 * Returns a no-op when the user chose the optimisation flags.
 */
export function holdOptimization(): () => void {
  if (!mayChangeOptimization()) return () => {}
  if (holds++ === 0) {
    v8.setFlagsFromString('--no-turbofan')
    v8.setFlagsFromString('--no-maglev')
  }
  let released = false
  return () => {
    if (released) return
    released = true
    if (--holds > 0) return
    v8.setFlagsFromString('--turbofan')
    v8.setFlagsFromString(maglevByDefault ? '--maglev' : '--no-maglev')
  }
}
