// Runs one approach on one case in this process and prints its result as the last line of stdout.
// Usage: node [flags] child.mjs <approach> <case file>
import { loadCase, maxRssKb } from './lib/calls.mjs'

const [approachName, caseFile] = process.argv.slice(2)
try {
  const approach = await import(`./approaches/${approachName}.mjs`)
  const testCase = await loadCase(caseFile)
  // The process with the approach and the case loaded, before any call: what the measurement adds is peak − this.
  const baselineRssKb = maxRssKb()
  const result = await approach.detect(testCase)
  result.totalMs ??= result.verdictMs
  await testCase.teardown?.()
  result.maxRssKb = maxRssKb()
  result.baselineRssKb = baselineRssKb
  process.stdout.write(`\n@@RESULT ${JSON.stringify(result)}\n`)
} catch (error) {
  process.stdout.write(
    `\n@@RESULT ${JSON.stringify({
      error: String(error?.stack ?? error)
        .split('\n')
        .slice(0, 3)
        .join(' | '),
    })}\n`,
  )
}
// Leaked intervals and servers would keep the process alive.
process.exit(0)
