import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

// A leak of file descriptors can use them all up; the measurements after it must still read memory (reading the RSS
// opens a file, and failed with EMFILE inside leakproof). Real descriptors, in a child process with a low limit.
const core = fileURLToPath(new URL('../dist/index.mjs', import.meta.url))
const program = `
  import { openSync } from 'node:fs'
  const { measureLeak } = await import(${JSON.stringify(core)})
  const held = []
  try {
    for (;;) held.push(openSync(process.execPath, 'r'))
  } catch (error) {
    if (error.code !== 'EMFILE') throw error
  }
  const kept = []
  const report = measureLeak(() => kept.push({ id: kept.length }), { diagnose: false })
  console.log(JSON.stringify({ descriptors: held.length, leaked: report.leaked }))
`

test.runIf(process.platform !== 'win32')(
  'with every file descriptor in use, a leak is still measured and caught',
  () => {
    const run = spawnSync(
      'sh',
      ['-c', `ulimit -n 64 && exec "${process.execPath}" --input-type=module -e "$0"`, program],
      {
        encoding: 'utf8',
      },
    )
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')
    expect(result.descriptors).toBeGreaterThan(10)
    expect(result.leaked).toBe(true)
  },
)
