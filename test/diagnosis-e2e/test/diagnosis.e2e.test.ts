import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))
const require = createRequire(import.meta.url)
const vitestCli = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs')
const jestCli = join(dirname(require.resolve('jest/package.json')), 'bin', 'jest.js')

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
const ANSI = /\u001b\[[0-9;]*m/g

/** Runs a runner's CLI in a fixture folder; resolves with its exit code and its output without colours. */
async function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' }
  // The outer Vitest's variables would make an inner Vitest think it is a worker.
  for (const key of Object.keys(childEnv)) if (key.startsWith('VITEST')) delete childEnv[key]
  delete childEnv.NODE_OPTIONS
  const child = spawn(process.execPath, args, { cwd, env: childEnv })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exitCode = await new Promise<number | null>((done) => child.on('close', done))
  return { exitCode, output: output.replace(ANSI, '') }
}

/** 1-based line of the `// allocation: Session` marker in the fixture: where the diagnosis must point. */
function allocationLine(runner: string): number {
  const lines = readFileSync(join(fixtures, runner, 'session-cache.ts'), 'utf8').split('\n')
  return lines.findIndex((line) => line.includes('// allocation: Session')) + 1
}

function expectDiagnosis(output: string, runner: string): void {
  expect(output).toMatch(/what leaked .*:\n\s+Session\s+1\.00\/call/)
  expect(output).toMatch(
    // The sampled top site is the `new Session(id)` line, named after openSession or, when V8 attributes the
    // samples to the inlined constructor (seen on Node 24, threads pool), after Session: both point at that line.
    new RegExp(`allocated at .*:\\n\\s+(openSession|Session) \\S*session-cache\\.ts:${allocationLine(runner)} `),
  )
  expect(output).toMatch(/held by .*:\n\s+session-cache\.ts › sessions \(Map\) › entry › Session/)
  expect(output).toContain('report.diagnosis')
}

describe.each(['forks', 'threads', 'vmThreads', 'vmForks'])('Vitest, %s pool', (pool) => {
  test('the failure message names the type, the original TypeScript line and the variable that holds it', async () => {
    const { exitCode, output } = await run(join(fixtures, 'vitest'), [vitestCli, 'run'], { LEAKPROOF_POOL: pool })
    expect(exitCode).toBe(1)
    expectDiagnosis(output, 'vitest')
  })
})

describe('Jest with ts-jest (CommonJS)', () => {
  test('the failure message names the type, the original TypeScript line and the variable that holds it', async () => {
    const { exitCode, output } = await run(join(fixtures, 'jest'), [jestCli, '--ci'])
    expect(exitCode).toBe(1)
    expectDiagnosis(output, 'jest')
  })
})
