import { parseArgs } from 'node:util'

/** Where a command writes, and the folder relative paths start from: the process's, or a test's. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  cwd: string
  env: Record<string, string | undefined>
}

/** A command line that cannot be run: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/**
 * The command's string options and its file arguments; an option it does not know (or one missing its value) is a
 * UsageError.
 */
export function parseCommandLine<Name extends string>(
  args: string[],
  names: readonly Name[],
): { values: Partial<Record<Name, string>>; positionals: string[] } {
  const options = Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]))
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true })
    return { values: values as Partial<Record<Name, string>>, positionals }
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** Exit codes of the `leakproof` command (docs/ci.md lists them). */
export const EXIT = {
  /** Done; nothing fails. */
  ok: 0,
  /** Done, and the result fails the run: a leak that is not known (merge), a test that grew (compare). */
  failed: 1,
  /** Bad command line, or a missing or malformed file: nothing was written. */
  usage: 2,
} as const

export interface CliCommand {
  name: string
  /** `merge FILE... --out FILE` */
  usage: string
  /** One line for `leakproof --help`. */
  summary: string
  /** Longer help: options and exit codes. */
  help: string
  run: (args: string[], io: CliIo) => number | Promise<number>
}
