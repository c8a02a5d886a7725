import { LeakproofFileError } from '../ci/read.js'
import { compareCommand } from './compare.js'
import { type CliCommand, type CliIo, EXIT, UsageError } from './io.js'
import { mergeCommand } from './merge.js'
import { reportCommand } from './report.js'
import { summaryCommand } from './summary.js'

/** Every `leakproof` subcommand, in the order `--help` lists them. */
const COMMANDS: readonly CliCommand[] = [mergeCommand, summaryCommand, compareCommand, reportCommand]

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.usage.length))
  return [
    'Usage: leakproof <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
    '',
    'Run `leakproof <command> --help` for its options. Exit codes: 0 ok, 1 the result fails (a new or worse leak,',
    'a test that grew), 2 a bad command line or file.',
  ].join('\n')
}

/** Runs one command line (without `node` and the script), returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ;(name === undefined ? io.stderr : io.stdout)(`${overview()}\n`)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const command = COMMANDS.find((candidate) => candidate.name === name)
  if (!command) {
    io.stderr(`leakproof: unknown command "${name}".\n\n${overview()}\n`)
    return EXIT.usage
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`Usage: leakproof ${command.usage}\n\n${command.help}\n`)
    return EXIT.ok
  }
  try {
    return await command.run(args, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`leakproof ${command.name}: ${error.message}\nUsage: leakproof ${command.usage}\n`)
      return EXIT.usage
    }
    if (error instanceof LeakproofFileError) {
      io.stderr(`leakproof ${command.name}: ${error.message}\n`)
      return EXIT.usage
    }
    throw error
  }
}
